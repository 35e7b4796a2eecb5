package io.prefork.scoreboard;

/**
 * The pool-wide counters and gauges in the scoreboard's header, kept by the master across
 * recycled workers so that counters never go backwards. Append new constants at the end:
 * the ordinal is the counter's place in the file, which has room for 64.
 */
public enum PoolCounter {

	/** Connections the master accepted. */
	ACCEPTED,

	/** Connections handed over to a worker. */
	HANDED_OVER,

	/** Connections rejected because the pool was overloaded. */
	REJECTED_OVERLOAD,

	/** Connections rejected because they waited in the queue too long. */
	REJECTED_QUEUE_TIMEOUT,

	/** Connections rejected because handing them over failed. */
	REJECTED_HANDOFF_FAILED,

	/** Connections rejected because the server was shutting down. */
	REJECTED_SHUTDOWN,

	/** Workers spawned. */
	SPAWNED,

	/** Workers that exited before they were ready. */
	EXITED_BOOT_FAILURE,

	/** Workers that crashed. */
	EXITED_CRASH,

	/** Workers killed for missing heartbeats. */
	EXITED_TIMEOUT,

	/** Workers killed because a request ran past the request timeout. */
	EXITED_REQUEST_TIMEOUT,

	/** Workers recycled after their maximum requests or age. */
	EXITED_RECYCLED,

	/** Workers recycled for using too much memory. */
	EXITED_RSS,

	/** Workers stopped because the pool shrank. */
	EXITED_SCALED_DOWN,

	/** Workers stopped because the server shut down. */
	EXITED_SHUTDOWN,

	/** Requests served by workers that have exited. */
	REQUESTS_OF_EXITED_WORKERS,

	/** Connections waiting in the master's queue now (a gauge). */
	QUEUE_LENGTH,

	/** The longest the master's queue has been. */
	MAX_QUEUE_LENGTH,

	/** Whether every worker is busy now, 1 or 0 (a gauge). */
	SATURATED,

	/** How many workers the pool aims for now (a gauge). */
	TARGET_WORKERS,

	/** Workers in a row that failed to boot (a gauge). */
	CONSECUTIVE_BOOT_FAILURES,

	/** Connections handed over after waiting in the master (the count of queue waits). */
	QUEUE_WAITS,

	/** Microseconds those connections waited in the master, in total. */
	QUEUE_WAIT_MICROS

}
