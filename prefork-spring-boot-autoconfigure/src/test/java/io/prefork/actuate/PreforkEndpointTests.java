package io.prefork.actuate;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.prefork.actuate.PreforkEndpoint.CurrentRequest;
import io.prefork.actuate.PreforkEndpoint.PoolDescriptor;
import io.prefork.actuate.PreforkEndpoint.WorkerDescriptor;
import io.prefork.scoreboard.PoolCounter;
import io.prefork.scoreboard.PoolCounters;
import io.prefork.scoreboard.Scoreboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

class PreforkEndpointTests {

	private static final long NOW = 1_700_000_100_000L;

	private Scoreboard scoreboard;

	private final List<PoolControl.Action> requested = new ArrayList<>();

	private PreforkEndpoint endpoint;

	@BeforeEach
	void create() throws IOException {
		this.scoreboard = Scoreboard.create(4);
		this.endpoint = new PreforkEndpoint(this.scoreboard::snapshot, this.requested::add);
	}

	@AfterEach
	void close() {
		this.scoreboard.close();
	}

	@Test
	void describesThePool() {
		writePool();
		PoolDescriptor pool = PreforkEndpoint.describe(this.scoreboard.snapshot(), NOW);
		assertThat(pool.startedAt()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_000L));
		assertThat(pool.dispatch()).isEqualTo("pass-fd");
		assertThat(pool.targetWorkers()).isEqualTo(2);
		assertThat(pool.acceptedConnections()).isEqualTo(50);
		assertThat(pool.handedOverConnections()).isEqualTo(45);
		assertThat(pool.queueLength()).isEqualTo(1);
		assertThat(pool.maxQueueLength()).isEqualTo(6);
		assertThat(pool.maxWorkersReached()).isEqualTo(3);
		assertThat(pool.workersSpawned()).isEqualTo(5);
	}

	@Test
	void namesRejectionsAndExitsInKebabCaseInCounterOrder() {
		writePool();
		PoolDescriptor pool = PreforkEndpoint.describe(this.scoreboard.snapshot(), NOW);
		assertThat(pool.rejected()).containsExactly(entry("overload", 0L), entry("queue-timeout", 4L),
				entry("handoff-failed", 0L), entry("shutdown", 0L), entry("worker-lost", 0L),
				entry("worker-lost-unread", 0L));
		assertThat(pool.exited()).containsExactly(entry("boot-failure", 0L), entry("crash", 1L),
				entry("killed", 0L), entry("timeout", 0L), entry("request-timeout", 0L), entry("recycled", 2L), entry("rss", 0L),
				entry("scaled-down", 0L), entry("shutdown", 0L), entry("out-of-memory", 0L));
	}

	@Test
	void describesEveryWorker() {
		writePool();
		PoolDescriptor pool = PreforkEndpoint.describe(this.scoreboard.snapshot(), NOW);
		assertThat(pool.workers()).extracting(WorkerDescriptor::pid).containsExactly(101, 102, 103, 104);
		assertThat(pool.workers().get(0)).isEqualTo(new WorkerDescriptor(0, 101, 2, "busy",
				Instant.ofEpochMilli(1_700_000_000_100L), 7, 2, 9, 1, 50_000_000L,
				new CurrentRequest("GET /sleep", 1500), Instant.ofEpochMilli(NOW - 300)));
		assertThat(pool.workers().get(1).currentRequest()).isEqualTo(new CurrentRequest("GET /fast", 1000));
	}

	@Test
	void aWorkerWithoutARequestOrHeartbeatHasNeither() {
		writePool();
		WorkerDescriptor starting = PreforkEndpoint.describe(this.scoreboard.snapshot(), NOW).workers().get(2);
		assertThat(starting.state()).isEqualTo("starting");
		assertThat(starting.currentRequest()).isNull();
		assertThat(starting.lastHeartbeat()).isNull();
		assertThat(starting.requestsServed()).isZero();
	}

	@Test
	void countsLiveWorkersByState() {
		writePool();
		assertThat(PreforkEndpoint.describe(this.scoreboard.snapshot(), NOW).workersByState())
			.containsExactly(entry("busy", 2L), entry("idle", 1L), entry("starting", 1L));
	}

	@Test
	void requestsServedAddsTheLiveWorkersToTheExitedOnes() {
		writePool();
		assertThat(PreforkEndpoint.describe(this.scoreboard.snapshot(), NOW).requestsServed())
			.isEqualTo(100 + 7 + 3 + 0 + 11);
	}

	@Test
	void requestsServedDoesNotDropWhenAWorkerIsReleased() {
		writePool();
		this.scoreboard.release(0);
		PoolDescriptor pool = PreforkEndpoint.describe(this.scoreboard.snapshot(), NOW);
		assertThat(pool.requestsServed()).isEqualTo(121);
		assertThat(pool.workers()).extracting(WorkerDescriptor::pid).containsExactly(102, 103, 104);
	}

	@Test
	void slowRequestsAreCurrentRequestsRunningLongerThanOneSecond() {
		writePool();
		// row 0 has run 1500 ms, row 1 exactly 1000 ms (not slow), rows 2 and 3 run none
		assertThat(PreforkEndpoint.describe(this.scoreboard.snapshot(), NOW).slowRequests()).isEqualTo(1);
		assertThat(PreforkEndpoint.describe(this.scoreboard.snapshot(), NOW + 1).slowRequests()).isEqualTo(2);
		assertThat(PreforkEndpoint.describe(this.scoreboard.snapshot(), NOW - 600).slowRequests()).isZero();
	}

	@Test
	void describesAnEmptyScoreboard() {
		PoolDescriptor pool = PreforkEndpoint.describe(this.scoreboard.snapshot(), NOW);
		assertThat(pool.startedAt()).isEqualTo(Instant.EPOCH);
		assertThat(pool.dispatch()).isNull();
		assertThat(pool.workers()).isEmpty();
		assertThat(pool.workersByState()).isEmpty();
		assertThat(pool.requestsServed()).isZero();
		assertThat(pool.slowRequests()).isZero();
		assertThat(pool.rejected().values()).containsOnly(0L);
	}

	@Test
	void theReadOperationReadsTheScoreboardNow() {
		writePool();
		assertThat(this.endpoint.prefork().workers()).hasSize(4);
		this.scoreboard.pool().add(PoolCounter.ACCEPTED, 1);
		this.scoreboard.release(3);
		PoolDescriptor pool = this.endpoint.prefork();
		assertThat(pool.acceptedConnections()).isEqualTo(51);
		assertThat(pool.workers()).hasSize(3);
		// Rows 0 and 1 started their requests at least 1 s before NOW, long past by now.
		assertThat(pool.slowRequests()).isEqualTo(2);
	}

	@Test
	void theWriteOperationAsksThePoolControlAndNamesTheAction() {
		assertThat(this.endpoint.change(PoolControl.Action.ADD_WORKER)).isEqualTo(Map.of("requested", "add-worker"));
		assertThat(this.endpoint.change(PoolControl.Action.REMOVE_WORKER))
			.isEqualTo(Map.of("requested", "remove-worker"));
		assertThat(this.endpoint.change(PoolControl.Action.RELOAD)).isEqualTo(Map.of("requested", "reload"));
		assertThat(this.requested).containsExactly(PoolControl.Action.ADD_WORKER, PoolControl.Action.REMOVE_WORKER,
				PoolControl.Action.RELOAD);
	}

	private void writePool() {
		PoolCounters pool = this.scoreboard.pool();
		pool.started(1_700_000_000_000L, "pass-fd");
		pool.set(PoolCounter.TARGET_WORKERS, 2);
		pool.add(PoolCounter.ACCEPTED, 50);
		pool.add(PoolCounter.HANDED_OVER, 45);
		pool.set(PoolCounter.QUEUE_LENGTH, 1);
		pool.max(PoolCounter.MAX_QUEUE_LENGTH, 6);
		pool.add(PoolCounter.SATURATED, 3);
		pool.add(PoolCounter.SPAWNED, 5);
		pool.add(PoolCounter.REJECTED_QUEUE_TIMEOUT, 4);
		pool.add(PoolCounter.EXITED_CRASH, 1);
		pool.add(PoolCounter.EXITED_RECYCLED, 2);
		pool.add(PoolCounter.REQUESTS_OF_EXITED_WORKERS, 100);
		this.scoreboard.master(0).update(0, 101, 2, "busy", 1_700_000_000_100L, 50_000_000L, 2, 9);
		this.scoreboard.worker(0).heartbeat(NOW - 300, 6);
		this.scoreboard.worker(0).requests(7, 1, "GET /sleep", NOW - 1500);
		this.scoreboard.master(1).update(1, 102, 0, "busy", 1_700_000_000_200L, 0, 1, 4);
		this.scoreboard.worker(1).requests(3, 1, "GET /fast", NOW - 1000);
		this.scoreboard.master(2).update(0, 103, 3, "starting", 1_700_000_000_300L, 0, 0, 0);
		this.scoreboard.master(3).update(1, 104, 1, "idle", 1_700_000_000_400L, 0, 0, 12);
		this.scoreboard.worker(3).requests(11, 0, null, 0);
	}

}
