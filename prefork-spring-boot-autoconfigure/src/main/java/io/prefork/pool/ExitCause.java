package io.prefork.pool;

/**
 * Why a worker ended, for logs and metrics.
 */
public enum ExitCause {

	/** Died before it was ever ready. */
	BOOT_FAILURE("boot-failure"),

	/** Died on its own after it was ready (crash, System.exit). */
	CRASH("crash"),

	/**
	 * Exited on an {@code OutOfMemoryError} after it was ready
	 * ({@code -XX:+ExitOnOutOfMemoryError}, among the worker defaults): its heap was too
	 * small for what it held, which the process boundary contains.
	 */
	OUT_OF_MEMORY("out-of-memory"),

	/**
	 * Ended by a signal the master did not send (an operator, the kernel's OOM killer, a
	 * chaos tool): a loss, not a verdict on the application.
	 */
	KILLED("killed"),

	/** Killed by the master: boot, hand-over or heartbeat timeout. */
	TIMEOUT("timeout"),

	/** Stopped because a request ran past the request timeout. */
	REQUEST_TIMEOUT("request-timeout"),

	/** Replaced on purpose: max-requests, max-age or a rolling restart. */
	RECYCLED("recycled"),

	/** Replaced because it used more memory than max-rss. */
	RSS("rss"),

	/** Retired because the pool shrank. */
	SCALED_DOWN("scaled-down"),

	/** Stopped with the server. */
	SHUTDOWN("shutdown");

	private final String tag;

	ExitCause(String tag) {
		this.tag = tag;
	}

	/**
	 * Return the name used in logs and metrics.
	 * @return e.g. {@code crash}
	 */
	public String tag() {
		return this.tag;
	}

	/**
	 * Classify an exit.
	 * @param decided the cause the master recorded when it stopped the worker, or
	 * {@code null} if it did not
	 * @param everReady whether the worker was ever ready
	 * @param status how the process ended
	 * @return the cause
	 */
	public static ExitCause classify(ExitCause decided, boolean everReady, ExitStatus status) {
		if (decided != null) {
			return decided;
		}
		if (status.killedFromOutside()) {
			return KILLED;
		}
		if (!everReady) {
			return BOOT_FAILURE;
		}
		return status.outOfMemoryExit() ? OUT_OF_MEMORY : CRASH;
	}

	/**
	 * Whether this exit says something about the application, so that respawning should
	 * back off when it repeats.
	 * @return {@code true} for a boot failure
	 */
	public boolean judgesTheApplication() {
		return this == BOOT_FAILURE;
	}

}
