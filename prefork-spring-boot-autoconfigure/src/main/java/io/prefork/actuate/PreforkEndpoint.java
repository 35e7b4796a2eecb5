package io.prefork.actuate;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

import io.prefork.scoreboard.PoolCounter;
import io.prefork.scoreboard.ScoreboardSnapshot;

/**
 * {@code /actuator/prefork}: the pool and every worker, read from the scoreboard, so any
 * worker answers for the whole pool. Its write operation (rolling restart, one worker
 * more or fewer) is off unless {@code management.endpoint.prefork.access=unrestricted}.
 */
@Endpoint(id = PreforkEndpoint.ID, defaultAccess = Access.READ_ONLY)
public class PreforkEndpoint {

	/** The endpoint's id. */
	public static final String ID = "prefork";

	/** A current request running longer than this counts as slow. */
	static final Duration SLOW = Duration.ofSeconds(1);

	private final Supplier<ScoreboardSnapshot> snapshots;

	private final PoolControl control;

	/**
	 * Create the endpoint.
	 * @param snapshots where to read the scoreboard
	 * @param control how to ask the master for a change
	 */
	public PreforkEndpoint(Supplier<ScoreboardSnapshot> snapshots, PoolControl control) {
		this.snapshots = snapshots;
		this.control = control;
	}

	@ReadOperation
	public PoolDescriptor prefork() {
		return describe(this.snapshots.get(), System.currentTimeMillis());
	}

	@WriteOperation
	public Map<String, String> change(PoolControl.Action action) {
		this.control.request(action);
		return Map.of("requested", action.name().toLowerCase(Locale.ROOT).replace('_', '-'));
	}

	static PoolDescriptor describe(ScoreboardSnapshot snapshot, long now) {
		Map<String, Long> byState = new TreeMap<>();
		List<WorkerDescriptor> workers = new ArrayList<>();
		long requests = snapshot.counter(PoolCounter.REQUESTS_OF_EXITED_WORKERS);
		int slow = 0;
		for (ScoreboardSnapshot.Row row : snapshot.rows()) {
			byState.merge(row.state(), 1L, Long::sum);
			requests += row.requestsServed();
			CurrentRequest current = (row.currentRequest() != null)
					? new CurrentRequest(row.currentRequest(), now - row.currentRequestStartedAtEpochMillis()) : null;
			if (current != null && current.runningMillis() > SLOW.toMillis()) {
				slow++;
			}
			workers.add(new WorkerDescriptor(row.slot(), row.pid(), row.generation(), row.state(),
					Instant.ofEpochMilli(row.startedAtEpochMillis()), row.requestsServed(), row.openConnections(),
					row.connectionsHandedOver(), row.busyThreads(), row.rssBytes(), current,
					(row.lastHeartbeatEpochMillis() > 0) ? Instant.ofEpochMilli(row.lastHeartbeatEpochMillis()) : null));
		}
		return new PoolDescriptor(Instant.ofEpochMilli(snapshot.startedAtEpochMillis()), snapshot.dispatch(),
				snapshot.counter(PoolCounter.TARGET_WORKERS), byState, snapshot.counter(PoolCounter.ACCEPTED),
				snapshot.counter(PoolCounter.HANDED_OVER), requests, snapshot.counter(PoolCounter.QUEUE_LENGTH),
				snapshot.counter(PoolCounter.MAX_QUEUE_LENGTH), snapshot.counter(PoolCounter.SATURATED), slow,
				snapshot.counter(PoolCounter.SPAWNED), byReason(snapshot, PoolCounter::isRejection),
				byReason(snapshot, PoolCounter::isExit),
				new SessionRouting(snapshot.counter(PoolCounter.SESSION_ROUTED), snapshot.counter(PoolCounter.PEEKS),
						snapshot.counter(PoolCounter.PEEK_WAIT_MICROS), snapshot.counter(PoolCounter.PEEK_TIMEOUTS)),
				workers);
	}

	/**
	 * The pool.
	 *
	 * @param startedAt when the master started
	 * @param dispatch the dispatch mode
	 * @param targetWorkers the pool size the master aims for
	 * @param workersByState live workers by state
	 * @param acceptedConnections connections the master accepted (or had accepted)
	 * @param handedOverConnections connections workers took
	 * @param requestsServed requests served by all workers, exited ones included
	 * @param queueLength connections waiting in the master now
	 * @param maxQueueLength the longest the queue has been
	 * @param maxWorkersReached how many times every worker was busy with connections waiting
	 * @param slowRequests requests running longer than 1 s right now
	 * @param workersSpawned workers started so far
	 * @param rejected connections turned away, by reason
	 * @param exited workers ended, by cause
	 * @param sessions how the master routed new connections by session (sticky sessions)
	 * @param workers every live worker
	 */
	public record PoolDescriptor(Instant startedAt, String dispatch, long targetWorkers,
			Map<String, Long> workersByState, long acceptedConnections, long handedOverConnections,
			long requestsServed, long queueLength, long maxQueueLength, long maxWorkersReached, int slowRequests,
			long workersSpawned, Map<String, Long> rejected, Map<String, Long> exited, SessionRouting sessions,
			List<WorkerDescriptor> workers) {
	}

	/**
	 * Sticky sessions.
	 *
	 * @param routedConnections connections handed to the worker holding their session
	 * @param peekedConnections connections whose request head the master read
	 * @param peekWaitMicros microseconds from accept until those heads were read, in total
	 * @param peekTimeouts connections that sent no request head within the session-peek
	 * timeout
	 */
	public record SessionRouting(long routedConnections, long peekedConnections, long peekWaitMicros,
			long peekTimeouts) {
	}

	/**
	 * One worker.
	 *
	 * @param slot its slot
	 * @param pid its pid
	 * @param generation how many workers its slot had before it
	 * @param state starting, warming, idle, busy or stopping
	 * @param startedAt when it was spawned
	 * @param requestsServed requests it completed
	 * @param openConnections connections it holds
	 * @param connectionsHandedOver connections it was given
	 * @param busyThreads requests it is running
	 * @param rssBytes its resident memory, when sampled
	 * @param currentRequest its oldest running request, if any
	 * @param lastHeartbeat when it last reported
	 */
	public record WorkerDescriptor(int slot, int pid, int generation, String state, Instant startedAt,
			long requestsServed, int openConnections, long connectionsHandedOver, int busyThreads, long rssBytes,
			CurrentRequest currentRequest, Instant lastHeartbeat) {
	}

	/**
	 * A running request.
	 *
	 * @param request e.g. {@code GET /sleep}
	 * @param runningMillis how long it has run
	 */
	public record CurrentRequest(String request, long runningMillis) {
	}

	private static Map<String, Long> byReason(ScoreboardSnapshot snapshot, Predicate<PoolCounter> kind) {
		Map<String, Long> counts = new LinkedHashMap<>();
		for (PoolCounter counter : PoolCounter.values()) {
			if (kind.test(counter)) {
				counts.put(counter.reason(), snapshot.counter(counter));
			}
		}
		return counts;
	}

}
