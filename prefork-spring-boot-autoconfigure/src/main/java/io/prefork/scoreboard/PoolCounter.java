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

	/** Requests a dying worker had read and not answered, answered 502 by the master. */
	REJECTED_WORKER_LOST,

	/** Connections of a dying worker with a request it had not read, answered 503. */
	REJECTED_WORKER_LOST_UNREAD,

	/** Workers spawned. */
	SPAWNED,

	/** Workers that exited before they were ready. */
	EXITED_BOOT_FAILURE,

	/** Workers that crashed. */
	EXITED_CRASH,

	/** Workers ended by a signal the master did not send. */
	EXITED_KILLED,

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

	/** Times every worker was busy while connections waited (Apache's "reached MaxRequestWorkers"). */
	SATURATED,

	/** How many workers the pool aims for now (a gauge). */
	TARGET_WORKERS,

	/** Workers in a row that failed to boot (a gauge). */
	CONSECUTIVE_BOOT_FAILURES,

	/** Connections handed over after waiting in the master (the count of queue waits). */
	QUEUE_WAITS,

	/** Microseconds those connections waited in the master, in total. */
	QUEUE_WAIT_MICROS,

	/** Rows released so far: a snapshot that saw this change while reading retries. */
	RELEASES,

	/** New connections whose request head the master looked at for a session route. */
	PEEKS,

	/** Microseconds from accept until those heads were read, in total. */
	PEEK_WAIT_MICROS,

	/** Connections that sent no complete request head within the session-peek timeout. */
	PEEK_TIMEOUTS,

	/** Connections handed to the worker holding their session (sticky sessions). */
	SESSION_ROUTED,

	/** Workers that exited on an OutOfMemoryError after they were ready. */
	EXITED_OUT_OF_MEMORY,

	/**
	 * Keep-alive connections a retiring worker closed with the client's next request unread,
	 * handed to another worker.
	 */
	CARRIED_OVER;

	private static final String REJECTED = "REJECTED_";

	private static final String EXITED = "EXITED_";

	/**
	 * Return the name used in JSON.
	 * @return kebab-case, e.g. {@code rejected-queue-timeout}
	 */
	public String tag() {
		return kebab(name());
	}

	/**
	 * Whether this counts connections turned away.
	 * @return {@code true} for the {@code REJECTED_} counters
	 */
	public boolean isRejection() {
		return name().startsWith(REJECTED);
	}

	/**
	 * Whether this counts workers that ended.
	 * @return {@code true} for the {@code EXITED_} counters
	 */
	public boolean isExit() {
		return name().startsWith(EXITED);
	}

	/**
	 * Return the reason of a rejection or exit counter, as logs and metric tags name it.
	 * @return e.g. {@code queue-timeout} for {@link #REJECTED_QUEUE_TIMEOUT}
	 * @throws IllegalStateException for other counters
	 */
	public String reason() {
		if (isRejection()) {
			return kebab(name().substring(REJECTED.length()));
		}
		if (isExit()) {
			return kebab(name().substring(EXITED.length()));
		}
		throw new IllegalStateException(this + " is not a rejection or exit counter");
	}

	private static String kebab(String name) {
		return name.toLowerCase(java.util.Locale.ROOT).replace('_', '-');
	}

}
