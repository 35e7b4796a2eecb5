package io.prefork.metrics;

import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import io.prefork.scoreboard.PoolCounter;
import io.prefork.scoreboard.ScoreboardSnapshot;

/**
 * Pool meters from the scoreboard. The master keeps the totals, so every worker reports the
 * same pool values and counters never go backwards when workers are recycled.
 */
public class PreforkMetrics implements MeterBinder {

	private static final String[] STATES = { "starting", "warming", "idle", "busy", "stopping" };

	private final Supplier<ScoreboardSnapshot> snapshots;

	private final int slots;

	/**
	 * Create the binder.
	 * @param snapshots where to read the scoreboard (a cached supplier: every meter reads it)
	 * @param slots the number of worker slots, for the per-slot meters
	 */
	public PreforkMetrics(Supplier<ScoreboardSnapshot> snapshots, int slots) {
		this.snapshots = snapshots;
		this.slots = slots;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		for (String state : STATES) {
			gauge("prefork.workers", "Worker processes in this state", "workers",
					(snapshot) -> snapshot.rows().stream().filter((row) -> state.equals(row.state())).count())
				.tag("state", state)
				.register(registry);
		}
		counter("prefork.connections.accepted", "Connections accepted by the master", "connections",
				PoolCounter.ACCEPTED).register(registry);
		counter("prefork.connections.handed.over", "Connections taken by a worker", "connections",
				PoolCounter.HANDED_OVER).register(registry);
		for (PoolCounter counter : PoolCounter.values()) {
			if (counter.isRejection()) {
				counter("prefork.connections.rejected", "Connections turned away by the master", "connections", counter)
					.tag("reason", counter.reason())
					.register(registry);
			}
			else if (counter.isExit()) {
				counter("prefork.workers.exited", "Worker processes that ended", "workers", counter)
					.tag("reason", counter.reason())
					.register(registry);
			}
		}
		counter("prefork.workers.spawned", "Worker processes started", "workers", PoolCounter.SPAWNED)
			.register(registry);
		counter("prefork.pool.saturations", "Times every worker was busy while connections waited", null,
				PoolCounter.SATURATED).register(registry);
		FunctionTimer.builder("prefork.connections.wait", this.snapshots,
				(supplier) -> supplier.get().counter(PoolCounter.QUEUE_WAITS),
				(supplier) -> supplier.get().counter(PoolCounter.QUEUE_WAIT_MICROS), TimeUnit.MICROSECONDS)
			.description("Time from accept to hand-over to a worker, queueing included")
			.register(registry);
		FunctionTimer.builder("prefork.connections.peek", this.snapshots,
				(supplier) -> supplier.get().counter(PoolCounter.PEEKS),
				(supplier) -> supplier.get().counter(PoolCounter.PEEK_WAIT_MICROS), TimeUnit.MICROSECONDS)
			.description("Time from accept until the master had read a new connection's request head (sticky sessions)")
			.register(registry);
		counter("prefork.connections.peek.timeouts", "Connections that sent no request head within the session-peek timeout",
				"connections", PoolCounter.PEEK_TIMEOUTS).register(registry);
		counter("prefork.connections.session.routed", "Connections handed to the worker holding their session",
				"connections", PoolCounter.SESSION_ROUTED).register(registry);
		counter("prefork.connections.carried.over",
				"Keep-alive connections a retiring worker closed with a request unread, handed to another worker",
				"connections", PoolCounter.CARRIED_OVER).register(registry);
		gauge("prefork.queue.length", "Connections waiting in the master for a worker", "connections",
				(snapshot) -> snapshot.counter(PoolCounter.QUEUE_LENGTH)).register(registry);
		FunctionCounter.builder("prefork.requests", this.snapshots, (supplier) -> totalRequests(supplier.get()))
			.description("Requests served by all workers, including workers that have exited")
			.baseUnit("requests")
			.register(registry);
		for (int slot = 0; slot < this.slots; slot++) {
			int thisSlot = slot;
			gauge("prefork.worker.requests",
					"Requests served by the slot's workers: its current one, and a successor or a retiring one",
					"requests",
					(snapshot) -> snapshot.rows().stream().filter((row) -> row.slot() == thisSlot)
						.mapToLong(ScoreboardSnapshot.Row::requestsServed).sum())
				.tag("slot", Integer.toString(slot))
				.register(registry);
		}
	}

	private Gauge.Builder<Supplier<ScoreboardSnapshot>> gauge(String name, String description, String unit,
			ToDoubleFunction<ScoreboardSnapshot> value) {
		return Gauge.builder(name, this.snapshots, (supplier) -> value.applyAsDouble(supplier.get()))
			.description(description)
			.baseUnit(unit);
	}

	private FunctionCounter.Builder<Supplier<ScoreboardSnapshot>> counter(String name, String description, String unit,
			PoolCounter counter) {
		return FunctionCounter.builder(name, this.snapshots, (supplier) -> supplier.get().counter(counter))
			.description(description)
			.baseUnit(unit);
	}

	private static double totalRequests(ScoreboardSnapshot snapshot) {
		return snapshot.counter(PoolCounter.REQUESTS_OF_EXITED_WORKERS)
				+ snapshot.rows().stream().mapToLong(ScoreboardSnapshot.Row::requestsServed).sum();
	}

}
