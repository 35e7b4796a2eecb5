package io.prefork.metrics;

import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.prefork.pool.WorkerState;
import io.prefork.scoreboard.CachedSnapshots;
import io.prefork.scoreboard.PoolCounter;
import io.prefork.scoreboard.PoolCounters;
import io.prefork.scoreboard.Scoreboard;

import static org.assertj.core.api.Assertions.assertThat;

class PreforkMetricsTests {

	private Scoreboard scoreboard;

	private SimpleMeterRegistry registry;

	@BeforeEach
	void bind() throws IOException {
		this.scoreboard = Scoreboard.create(4);
		CachedSnapshots snapshots = new CachedSnapshots(this.scoreboard);
		this.registry = new SimpleMeterRegistry();
		new PreforkMetrics(snapshots, snapshots.slots()).bindTo(this.registry);
	}

	@AfterEach
	void close() {
		this.registry.close();
		this.scoreboard.close();
	}

	@Test
	void countsWorkersByState() {
		worker(0, 0, 101, "idle");
		worker(1, 1, 102, "busy");
		worker(2, 0, 103, "busy");
		assertThat(workers("starting")).isZero();
		assertThat(workers("idle")).isEqualTo(1);
		assertThat(workers("busy")).isEqualTo(2);
		assertThat(workers("stopping")).isZero();
		worker(2, 0, 103, "stopping");
		assertThat(workers("busy")).isEqualTo(1);
		assertThat(workers("stopping")).isEqualTo(1);
		worker(3, 0, 104, "warming");
		assertThat(workers("warming")).isEqualTo(1);
	}

	@Test
	void hasAWorkersGaugeForEveryLiveState() {
		for (WorkerState state : WorkerState.values()) {
			String tag = state.name().toLowerCase(Locale.ROOT);
			if (state == WorkerState.DEAD) {
				assertThat(this.registry.find("prefork.workers").tag("state", tag).gauge()).isNull();
			}
			else {
				assertThat(this.registry.find("prefork.workers").tag("state", tag).gauge()).as(tag).isNotNull();
			}
		}
	}

	@Test
	void countsConnections() {
		PoolCounters pool = this.scoreboard.pool();
		pool.add(PoolCounter.ACCEPTED, 12);
		pool.add(PoolCounter.HANDED_OVER, 9);
		assertThat(this.registry.get("prefork.connections.accepted").functionCounter().count()).isEqualTo(12);
		assertThat(this.registry.get("prefork.connections.handed.over").functionCounter().count()).isEqualTo(9);
		pool.add(PoolCounter.ACCEPTED, 1);
		assertThat(this.registry.get("prefork.connections.accepted").functionCounter().count()).isEqualTo(13);
	}

	@Test
	void countsRejectedConnectionsByKebabCaseReason() {
		this.scoreboard.pool().add(PoolCounter.REJECTED_QUEUE_TIMEOUT, 3);
		this.scoreboard.pool().add(PoolCounter.REJECTED_OVERLOAD, 2);
		assertThat(rejected("queue-timeout")).isEqualTo(3);
		assertThat(rejected("overload")).isEqualTo(2);
		assertThat(rejected("handoff-failed")).isZero();
		assertThat(rejected("shutdown")).isZero();
		assertThat(rejected("worker-lost")).isZero();
		assertThat(rejected("worker-lost-unread")).isZero();
		assertThat(this.registry.find("prefork.connections.rejected").functionCounters()).hasSize(6);
	}

	@Test
	void countsExitedWorkersByKebabCaseReason() {
		this.scoreboard.pool().add(PoolCounter.EXITED_BOOT_FAILURE, 1);
		this.scoreboard.pool().add(PoolCounter.EXITED_REQUEST_TIMEOUT, 2);
		this.scoreboard.pool().add(PoolCounter.EXITED_SCALED_DOWN, 4);
		assertThat(exited("boot-failure")).isEqualTo(1);
		assertThat(exited("request-timeout")).isEqualTo(2);
		assertThat(exited("scaled-down")).isEqualTo(4);
		assertThat(exited("crash")).isZero();
		assertThat(this.registry.find("prefork.workers.exited").functionCounters())
			.extracting((counter) -> counter.getId().getTag("reason"))
			.containsExactlyInAnyOrder("boot-failure", "crash", "killed", "timeout", "request-timeout", "recycled",
					"rss", "scaled-down", "shutdown", "out-of-memory");
	}

	@Test
	void countsSpawnedWorkers() {
		this.scoreboard.pool().add(PoolCounter.SPAWNED, 7);
		assertThat(this.registry.get("prefork.workers.spawned").functionCounter().count()).isEqualTo(7);
	}

	@Test
	void countsRequestsOfExitedAndLiveWorkers() {
		this.scoreboard.pool().add(PoolCounter.REQUESTS_OF_EXITED_WORKERS, 100);
		worker(0, 0, 101, "idle");
		this.scoreboard.worker(0).requests(7, 0, null, 0);
		worker(1, 1, 102, "busy");
		this.scoreboard.worker(1).requests(5, 1, "GET /", 1);
		assertThat(requests()).isEqualTo(112);
	}

	@Test
	void theRequestTotalDoesNotDecreaseWhenAWorkerIsReleased() {
		this.scoreboard.pool().add(PoolCounter.REQUESTS_OF_EXITED_WORKERS, 100);
		worker(0, 0, 101, "idle");
		this.scoreboard.worker(0).requests(7, 0, null, 0);
		assertThat(requests()).isEqualTo(107);
		assertThat(slotRequests(0)).isEqualTo(7);
		this.scoreboard.release(0);
		assertThat(requests()).isEqualTo(107);
		assertThat(slotRequests(0)).isZero();
		worker(0, 0, 104, "starting");
		this.scoreboard.worker(0).requests(1, 0, null, 0);
		assertThat(requests()).isEqualTo(108);
	}

	@Test
	void countsRequestsPerSlot() {
		worker(0, 0, 101, "idle");
		this.scoreboard.worker(0).requests(7, 0, null, 0);
		worker(3, 1, 102, "busy");
		this.scoreboard.worker(3).requests(5, 1, "GET /", 1);
		assertThat(slotRequests(0)).isEqualTo(7);
		assertThat(slotRequests(1)).isEqualTo(5);
		assertThat(this.registry.find("prefork.worker.requests").gauges()).hasSize(2);
	}

	@Test
	void timesTheWaitForAWorker() {
		this.scoreboard.pool().add(PoolCounter.QUEUE_WAITS, 4);
		this.scoreboard.pool().add(PoolCounter.QUEUE_WAIT_MICROS, 2_500_000);
		var timer = this.registry.get("prefork.connections.wait").functionTimer();
		assertThat(timer.count()).isEqualTo(4);
		assertThat(timer.totalTime(TimeUnit.MICROSECONDS)).isEqualTo(2_500_000);
		assertThat(timer.totalTime(TimeUnit.SECONDS)).isEqualTo(2.5);
		assertThat(timer.mean(TimeUnit.MILLISECONDS)).isEqualTo(625);
	}

	@Test
	void timesTheSessionPeekAndCountsItsOutcomes() {
		this.scoreboard.pool().add(PoolCounter.PEEKS, 10);
		this.scoreboard.pool().add(PoolCounter.PEEK_WAIT_MICROS, 3_000);
		this.scoreboard.pool().add(PoolCounter.PEEK_TIMEOUTS, 2);
		this.scoreboard.pool().add(PoolCounter.SESSION_ROUTED, 7);
		var timer = this.registry.get("prefork.connections.peek").functionTimer();
		assertThat(timer.count()).isEqualTo(10);
		assertThat(timer.mean(TimeUnit.MICROSECONDS)).isEqualTo(300);
		assertThat(this.registry.get("prefork.connections.peek.timeouts").functionCounter().count()).isEqualTo(2);
		assertThat(this.registry.get("prefork.connections.session.routed").functionCounter().count()).isEqualTo(7);
	}

	@Test
	void countsConnectionsCarriedOverFromRetiringWorkers() {
		this.scoreboard.pool().add(PoolCounter.CARRIED_OVER, 8);
		assertThat(this.registry.get("prefork.connections.carried.over").functionCounter().count()).isEqualTo(8);
	}

	@Test
	void countsSaturations() {
		this.scoreboard.pool().add(PoolCounter.SATURATED, 2);
		assertThat(this.registry.get("prefork.pool.saturations").functionCounter().count()).isEqualTo(2);
	}

	@Test
	void gaugesTheQueueLength() {
		this.scoreboard.pool().set(PoolCounter.QUEUE_LENGTH, 3);
		assertThat(this.registry.get("prefork.queue.length").gauge().value()).isEqualTo(3);
		this.scoreboard.pool().set(PoolCounter.QUEUE_LENGTH, 0);
		assertThat(this.registry.get("prefork.queue.length").gauge().value()).isZero();
	}

	@Test
	void everyMeterHasADescription() {
		assertThat(this.registry.getMeters()).hasSize(5 + 1 + 1 + 6 + 10 + 1 + 1 + 1 + 1 + 1 + 1 + 2 + 3)
			.allSatisfy((meter) -> assertThat(meter.getId().getDescription()).as(meter.getId().getName())
				.isNotBlank());
	}

	@Test
	void metersHaveBaseUnits() {
		assertThat(baseUnits("prefork.connections.accepted")).containsOnly("connections");
		assertThat(baseUnits("prefork.connections.handed.over")).containsOnly("connections");
		assertThat(baseUnits("prefork.connections.rejected")).containsOnly("connections");
		assertThat(baseUnits("prefork.queue.length")).containsOnly("connections");
		assertThat(baseUnits("prefork.workers.exited")).containsOnly("workers");
		assertThat(baseUnits("prefork.workers.spawned")).containsOnly("workers");
		assertThat(baseUnits("prefork.requests")).containsOnly("requests");
		assertThat(baseUnits("prefork.worker.requests")).containsOnly("requests");
		assertThat(baseUnits("prefork.connections.wait")).containsOnly("seconds");
	}

	@Test
	void namesFollowThePreforkNounQualifierScheme() {
		assertThat(this.registry.getMeters()).extracting((meter) -> meter.getId().getName())
			.allMatch((name) -> name.matches("prefork(\\.[a-z]+)+"));
	}

	private double workers(String state) {
		return this.registry.get("prefork.workers").tag("state", state).gauge().value();
	}

	private double rejected(String reason) {
		return this.registry.get("prefork.connections.rejected").tag("reason", reason).functionCounter().count();
	}

	private double exited(String reason) {
		return this.registry.get("prefork.workers.exited").tag("reason", reason).functionCounter().count();
	}

	private double requests() {
		return this.registry.get("prefork.requests").functionCounter().count();
	}

	private double slotRequests(int slot) {
		return this.registry.get("prefork.worker.requests").tag("slot", Integer.toString(slot)).gauge().value();
	}

	private Object[] baseUnits(String name) {
		return this.registry.find(name).meters().stream().map(Meter::getId).map(Meter.Id::getBaseUnit).toArray();
	}

	private void worker(int row, int slot, int pid, String state) {
		this.scoreboard.master(row).update(slot, pid, 0, state, 1_700_000_000_000L, 0, 0, 0);
	}

}
