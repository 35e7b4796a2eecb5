package io.prefork.scoreboard;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A consistent copy of the scoreboard: each section as its writer last published it.
 *
 * @param startedAtEpochMillis when the master started, 0 if not yet recorded
 * @param dispatch the master's dispatch mode, {@code null} if not yet recorded
 * @param counters every pool counter
 * @param rows the rows in use (pid not 0), in row order
 */
public record ScoreboardSnapshot(long startedAtEpochMillis, String dispatch, Map<PoolCounter, Long> counters,
		List<Row> rows) {

	/**
	 * Create a snapshot, copying the counters and rows.
	 * @param startedAtEpochMillis when the master started
	 * @param dispatch the master's dispatch mode
	 * @param counters the pool counters; missing ones read as 0
	 * @param rows the rows in use
	 */
	public ScoreboardSnapshot {
		Map<PoolCounter, Long> copy = new EnumMap<>(PoolCounter.class);
		copy.putAll(counters);
		counters = Collections.unmodifiableMap(copy);
		rows = List.copyOf(rows);
	}

	/**
	 * Return one pool counter.
	 * @param counter the counter
	 * @return its value, 0 if absent
	 */
	public long counter(PoolCounter counter) {
		return this.counters.getOrDefault(counter, 0L);
	}

	/**
	 * One row in use: a worker process as the master and the worker itself describe it.
	 *
	 * @param row the row's index in the scoreboard
	 * @param slot the worker's slot in the pool
	 * @param pid the worker's process id
	 * @param generation how many workers the slot had before this one
	 * @param state the worker's state as the master sees it
	 * @param startedAtEpochMillis when the worker was spawned
	 * @param rssBytes the worker's resident set size
	 * @param openConnections connections the worker holds
	 * @param connectionsHandedOver connections handed over to the worker so far
	 * @param requestsServed requests the worker has finished
	 * @param busyThreads threads of the worker running a request
	 * @param lastHeartbeatEpochMillis the worker's last heartbeat, 0 if none yet
	 * @param currentRequest e.g. {@code GET /sleep}, {@code null} if none
	 * @param currentRequestStartedAtEpochMillis when it started, 0 if none
	 */
	public record Row(int row, int slot, int pid, int generation, String state, long startedAtEpochMillis,
			long rssBytes, int openConnections, long connectionsHandedOver, long requestsServed, int busyThreads,
			long lastHeartbeatEpochMillis, String currentRequest, long currentRequestStartedAtEpochMillis) {
	}

}
