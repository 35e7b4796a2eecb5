package io.prefork.worker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.prefork.worker.RequestWatch.Request;
import io.prefork.worker.RequestWatch.TimeoutAnswer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

class RequestWatchTests {

	private static final Duration TIMEOUT = Duration.ofMillis(50);

	private static final Duration DEADLINE = Duration.ofSeconds(10);

	private final AtomicInteger changes = new AtomicInteger();

	private final RequestWatch watch = new RequestWatch(this.changes::incrementAndGet);

	private final AtomicInteger answers = new AtomicInteger();

	private final TimeoutAnswer answer = () -> {
		this.answers.incrementAndGet();
		return true;
	};

	@Test
	void servedIsZeroAtFirst() {
		assertThat(this.watch.served()).isZero();
	}

	@Test
	void servedCountsFinishedRequests() {
		Request first = this.watch.started("GET /a", this.answer);
		Request second = this.watch.started("GET /b", this.answer);
		this.watch.started("GET /c", this.answer);
		assertThat(this.watch.served()).isZero();
		this.watch.finished(first);
		this.watch.finished(second);
		assertThat(this.watch.served()).isEqualTo(2);
	}

	@Test
	void recordsTheRequestAndItsThread() {
		long before = System.nanoTime();
		Request request = this.watch.started("GET /hang", this.answer);
		assertThat(request.description()).isEqualTo("GET /hang");
		assertThat(request.thread()).isSameAs(Thread.currentThread());
		assertThat(request.startedAt()).isBetween(before, System.nanoTime());
		assertThat(request.answer()).isSameAs(this.answer);
	}

	@Test
	void aRequestDoesNotExpireBeforeItsTimeout() {
		this.watch.started("GET /slow", this.answer);
		assertThat(this.watch.expired(Duration.ofHours(1))).isEmpty();
	}

	@Test
	void aRequestExpiresOnceAndOnlyAfterTheTimeout() {
		long before = System.nanoTime();
		Request request = this.watch.started("GET /hang", this.answer);
		List<Request> expired = awaitExpired();
		long elapsed = System.nanoTime() - before;
		assertThat(expired).containsExactly(request);
		assertThat(elapsed).isGreaterThan(TIMEOUT.toNanos());
		assertThat(this.watch.expired(TIMEOUT)).isEmpty();
		assertThat(this.watch.expired(Duration.ZERO)).isEmpty();
	}

	@Test
	void aFinishedRequestNeverExpires() {
		Request finished = this.watch.started("GET /fast", this.answer);
		this.watch.finished(finished);
		Request running = this.watch.started("GET /hang", this.answer);
		assertThat(awaitExpired()).containsExactly(running).doesNotContain(finished);
		assertThat(this.watch.expired(Duration.ZERO)).isEmpty();
	}

	@Test
	void anExpiredRequestIsNotCountedAsServed() {
		this.watch.started("GET /hang", this.answer);
		awaitExpired();
		assertThat(this.watch.served()).isZero();
	}

	@Test
	void expiredDoesNotAnswerTheClient() {
		this.watch.started("GET /hang", this.answer);
		assertThat(awaitExpired()).hasSize(1);
		assertThat(this.answers).hasValue(0);
	}

	private List<Request> awaitExpired() {
		long deadline = System.nanoTime() + DEADLINE.toNanos();
		List<Request> expired = new ArrayList<>();
		while (expired.isEmpty()) {
			if (System.nanoTime() - deadline > 0) {
				fail("No request expired after " + TIMEOUT + " within " + DEADLINE);
			}
			LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
			expired.addAll(this.watch.expired(TIMEOUT));
		}
		return expired;
	}

	@Test
	void reportsEveryChangeAndTheOldestRunningRequest() {
		RequestWatch.Request first = this.watch.started("GET /first", () -> true);
		RequestWatch.Request second = this.watch.started("GET /second", () -> true);
		assertThat(this.watch.oldest()).isSameAs(first);
		assertThat(this.watch.running()).isEqualTo(2);
		this.watch.finished(first);
		assertThat(this.watch.oldest()).isSameAs(second);
		this.watch.finished(second);
		assertThat(this.watch.oldest()).isNull();
		assertThat(this.changes).hasValue(4);
	}

}
