package io.prefork.pool;

import java.util.EnumSet;
import java.util.Set;

/**
 * The life of a worker process as the master sees it. Illegal moves throw: a state machine
 * that silently accepts anything hides the bug that made the move.
 */
public enum WorkerState {

	/** Spawned, the application is starting; not counted as serving capacity. */
	STARTING,

	/**
	 * The application has started and serves its warm-up requests to itself; like
	 * {@link #STARTING}, it takes no connections and is held to the boot deadline.
	 */
	WARMING,

	/** Ready, holding no connection. */
	IDLE,

	/** Ready, holding at least one connection. */
	BUSY,

	/** Told to stop (or found broken); takes no more connections. */
	STOPPING,

	/** Reaped. */
	DEAD;

	private static final Set<WorkerState> FROM_STARTING = EnumSet.of(WARMING, IDLE, STOPPING, DEAD);

	private static final Set<WorkerState> FROM_WARMING = EnumSet.of(IDLE, STOPPING, DEAD);

	private static final Set<WorkerState> FROM_SERVING = EnumSet.of(IDLE, BUSY, STOPPING, DEAD);

	private static final Set<WorkerState> FROM_STOPPING = EnumSet.of(STOPPING, DEAD);

	/**
	 * Whether a worker in this state may move to another.
	 * @param next the next state
	 * @return {@code true} if the move is legal
	 */
	public boolean canMoveTo(WorkerState next) {
		return switch (this) {
			case STARTING -> FROM_STARTING.contains(next);
			case WARMING -> FROM_WARMING.contains(next);
			case IDLE, BUSY -> FROM_SERVING.contains(next);
			case STOPPING -> FROM_STOPPING.contains(next);
			case DEAD -> false;
		};
	}

	/**
	 * Return the next state, or throw if the move is illegal.
	 * @param next the next state
	 * @return {@code next}
	 * @throws IllegalStateException if the move is illegal
	 */
	public WorkerState moveTo(WorkerState next) {
		if (!canMoveTo(next)) {
			throw new IllegalStateException("Illegal worker state change " + this + " -> " + next);
		}
		return next;
	}

	/**
	 * Whether the worker is on its way to ready: starting or warming up, held to the boot
	 * deadline and given no connections.
	 * @return {@code true} for STARTING and WARMING
	 */
	public boolean isBooting() {
		return this == STARTING || this == WARMING;
	}

	/**
	 * Whether the worker serves connections in this state.
	 * @return {@code true} for IDLE and BUSY
	 */
	public boolean isServing() {
		return this == IDLE || this == BUSY;
	}

}
