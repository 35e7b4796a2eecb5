package io.prefork.scoreboard;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class ScoreboardReleaseTests {

	/** How long the writer releases and reuses rows while the readers read, at least. */
	private static final Duration WRITING = Duration.ofMillis(500);

	/**
	 * Release cycles the writer makes at least: on a loaded machine the spinning readers can
	 * starve it, and a handful of cycles would test little.
	 */
	private static final int MIN_CYCLES = 20;

	/** When the readers give up waiting for the writer. */
	private static final Duration DEADLINE = Duration.ofSeconds(60);

	private Scoreboard scoreboard;

	@BeforeEach
	void create() throws IOException {
		this.scoreboard = Scoreboard.create(4);
	}

	@AfterEach
	void close() {
		this.scoreboard.close();
	}

	@Test
	void clearsBothSectionsOfTheRow() {
		this.scoreboard.master(1).update(0, 101, 2, "busy", 1_700_000_000_000L, 1234, 3, 8);
		this.scoreboard.worker(1).heartbeat(1_700_000_000_500L, 4);
		this.scoreboard.worker(1).requests(5, 1, "GET /sleep", 1_700_000_000_600L);
		this.scoreboard.master(2).update(1, 102, 0, "idle", 1_700_000_000_000L, 0, 0, 0);
		this.scoreboard.release(1);
		assertThat(this.scoreboard.snapshot().rows()).extracting(ScoreboardSnapshot.Row::pid).containsExactly(102);
		this.scoreboard.master(1).update(0, 103, 3, "starting", 1_700_000_001_000L, 0, 0, 0);
		assertThat(this.scoreboard.snapshot().rows().get(0)).isEqualTo(new ScoreboardSnapshot.Row(1, 0, 103, 3,
				"starting", 1_700_000_001_000L, 0, 0, 0, 0, 0, 0, null, 0));
	}

	@Test
	void movesTheRequestsServedIntoTheExitedWorkersCounter() {
		this.scoreboard.pool().add(PoolCounter.REQUESTS_OF_EXITED_WORKERS, 10);
		this.scoreboard.master(0).update(0, 101, 0, "idle", 1, 0, 0, 0);
		this.scoreboard.worker(0).requests(5, 0, null, 0);
		this.scoreboard.master(3).update(1, 104, 0, "idle", 1, 0, 0, 0);
		this.scoreboard.worker(3).requests(7, 0, null, 0);
		this.scoreboard.release(0);
		assertThat(this.scoreboard.pool().get(PoolCounter.REQUESTS_OF_EXITED_WORKERS)).isEqualTo(15);
		ScoreboardSnapshot snapshot = this.scoreboard.snapshot();
		assertThat(snapshot.counter(PoolCounter.REQUESTS_OF_EXITED_WORKERS)).isEqualTo(15);
		assertThat(total(snapshot)).isEqualTo(22);
		this.scoreboard.release(3);
		assertThat(total(this.scoreboard.snapshot())).isEqualTo(22);
		assertThat(this.scoreboard.snapshot().rows()).isEmpty();
	}

	@Test
	void leavesTheOtherCountersAlone() {
		this.scoreboard.pool().add(PoolCounter.ACCEPTED, 3);
		this.scoreboard.pool().add(PoolCounter.EXITED_CRASH, 1);
		this.scoreboard.master(0).update(0, 101, 0, "idle", 1, 0, 0, 0);
		this.scoreboard.release(0);
		ScoreboardSnapshot snapshot = this.scoreboard.snapshot();
		assertThat(snapshot.counter(PoolCounter.ACCEPTED)).isEqualTo(3);
		assertThat(snapshot.counter(PoolCounter.EXITED_CRASH)).isEqualTo(1);
		assertThat(snapshot.counter(PoolCounter.REQUESTS_OF_EXITED_WORKERS)).isZero();
	}

	@Test
	void releasingAFreeRowAddsNothing() {
		this.scoreboard.pool().add(PoolCounter.REQUESTS_OF_EXITED_WORKERS, 10);
		this.scoreboard.release(2);
		this.scoreboard.release(2);
		assertThat(this.scoreboard.snapshot().counter(PoolCounter.REQUESTS_OF_EXITED_WORKERS)).isEqualTo(10);
	}

	@Test
	void releasingTwiceCountsTheRequestsOnce() {
		this.scoreboard.master(0).update(0, 101, 0, "idle", 1, 0, 0, 0);
		this.scoreboard.worker(0).requests(5, 0, null, 0);
		this.scoreboard.release(0);
		this.scoreboard.release(0);
		assertThat(this.scoreboard.snapshot().counter(PoolCounter.REQUESTS_OF_EXITED_WORKERS)).isEqualTo(5);
	}

	@Test
	void anotherMappingSeesTheRelease() throws IOException {
		try (Scoreboard opened = Scoreboard.open(this.scoreboard.file())) {
			this.scoreboard.master(0).update(0, 101, 0, "idle", 1, 0, 0, 0);
			opened.worker(0).requests(8, 0, null, 0);
			this.scoreboard.release(0);
			ScoreboardSnapshot snapshot = opened.snapshot();
			assertThat(snapshot.rows()).isEmpty();
			assertThat(snapshot.counter(PoolCounter.REQUESTS_OF_EXITED_WORKERS)).isEqualTo(8);
		}
	}

	@Test
	void rejectsRowsOutOfRangeAndAClosedScoreboard() {
		assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> this.scoreboard.release(4));
		assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> this.scoreboard.release(-1));
		this.scoreboard.close();
		assertThatIllegalStateException().isThrownBy(() -> this.scoreboard.release(0)).withMessageContaining("closed");
	}

	@Test
	void concurrentReadersNeverSeeTheRequestTotalDecreaseAcrossReleases() throws Exception {
		try (Scoreboard otherProcess = Scoreboard.open(this.scoreboard.file())) {
			CachedSnapshots cached = new CachedSnapshots(this.scoreboard);
			long deadline = System.nanoTime() + DEADLINE.toNanos();
			CountDownLatch readersStarted = new CountDownLatch(2);
			AtomicBoolean writerDone = new AtomicBoolean();
			List<Reader> readers = List.of(new Reader("other-mapping", otherProcess::snapshot, writerDone),
					new Reader("cached", cached, writerDone));
			List<Thread> threads = new ArrayList<>();
			for (Reader reader : readers) {
				Thread thread = new Thread(() -> {
					readersStarted.countDown();
					reader.run(deadline);
				}, "test-scoreboard-reader-" + reader.name);
				thread.start();
				threads.add(thread);
			}
			assertThat(readersStarted.await(5, TimeUnit.SECONDS)).isTrue();
			long expected;
			try {
				expected = writeAndReleaseRows(System.nanoTime() + WRITING.toNanos());
			}
			finally {
				writerDone.set(true);
			}
			for (Thread thread : threads) {
				thread.join(DEADLINE.toMillis() + 5_000);
				assertThat(thread.isAlive()).as(thread.getName() + " still running").isFalse();
			}
			assertThat(total(this.scoreboard.snapshot())).isEqualTo(expected);
			for (Reader reader : readers) {
				assertThat(reader.failure.get()).as(reader.name).isNull();
				assertThat(reader.reads.get()).as(reader.name + " snapshots").isPositive();
				assertThat(reader.last.get()).as(reader.name + " last total").isEqualTo(expected);
			}
		}
	}

	// Like the master with a recycling pool: rows 0-2 get a new worker that serves some
	// requests and is released, again and again, while row 3's worker keeps serving. Returns
	// the pool's request total at the end. (A release done as separate writes is caught only
	// now and then, so the writer keeps going for a while as well as a number of cycles.)
	private long writeAndReleaseRows(long until) {
		long total = 0;
		long longLived = 0;
		this.scoreboard.master(3).update(1, 99, 0, "busy", 1, 0, 0, 0);
		int cycle = 0;
		while (System.nanoTime() < until || cycle < MIN_CYCLES) {
			int row = cycle % 3;
			this.scoreboard.master(row).update(0, 1000 + cycle, cycle, "busy", 1, 0, 0, 0);
			for (int served = 1; served <= 10; served++) {
				this.scoreboard.worker(row).requests(served, 1, "GET /" + served, 1);
				this.scoreboard.worker(3).requests(++longLived, 1, "GET /long", 1);
			}
			if (cycle % 2 == 0) {
				this.scoreboard.pool().add(PoolCounter.ACCEPTED, 1);
			}
			this.scoreboard.release(row);
			total += 10;
			cycle++;
		}
		return total + longLived;
	}

	private static long total(ScoreboardSnapshot snapshot) {
		return snapshot.counter(PoolCounter.REQUESTS_OF_EXITED_WORKERS)
				+ snapshot.rows().stream().mapToLong(ScoreboardSnapshot.Row::requestsServed).sum();
	}

	private static final class Reader {

		private final String name;

		private final Supplier<ScoreboardSnapshot> source;

		private final AtomicBoolean writerDone;

		private final AtomicReference<String> failure = new AtomicReference<>();

		private final AtomicLong reads = new AtomicLong();

		private final AtomicLong last = new AtomicLong();

		Reader(String name, Supplier<ScoreboardSnapshot> snapshots, AtomicBoolean writerDone) {
			this.name = name;
			this.source = snapshots;
			this.writerDone = writerDone;
		}

		void run(long deadline) {
			long previous = 0;
			try {
				boolean finalRead = false;
				while (!finalRead) {
					// One more read after the writer finished, so that the last total is final.
					finalRead = this.writerDone.get() || System.nanoTime() > deadline;
					long total = total(this.source.get());
					this.reads.incrementAndGet();
					if (total < previous) {
						this.failure.compareAndSet(null, "total went from " + previous + " down to " + total
								+ " after " + this.reads.get() + " snapshots");
					}
					previous = Math.max(previous, total);
					this.last.set(total);
				}
			}
			catch (RuntimeException ex) {
				this.failure.compareAndSet(null, ex.toString());
			}
		}

	}

}
