package io.prefork.pool;

import java.time.Duration;

/**
 * When to replace a worker that died while starting, and when to give up. A worker that
 * cannot start must never become a crash loop that burns the CPU.
 */
public final class RespawnPolicy {

	/** Boot failures in a row, with no worker ever ready, after which the master gives up. */
	public static final int GIVE_UP_AFTER = 3;

	private static final Duration FIRST_DELAY = Duration.ofSeconds(1);

	private static final Duration MAX_DELAY = Duration.ofSeconds(30);

	private RespawnPolicy() {
	}

	/**
	 * How long to wait before the next spawn.
	 * @param consecutiveBootFailures workers in a row that died before becoming ready
	 * @return zero when nothing has failed, then 1 s, 2 s, 4 s… up to 30 s
	 */
	public static Duration respawnDelay(int consecutiveBootFailures) {
		if (consecutiveBootFailures <= 0) {
			return Duration.ZERO;
		}
		int doublings = Math.min(consecutiveBootFailures - 1, 5);
		Duration delay = FIRST_DELAY.multipliedBy(1L << doublings);
		return (delay.compareTo(MAX_DELAY) > 0) ? MAX_DELAY : delay;
	}

	/**
	 * Whether to stop the server because the application evidently cannot start.
	 * @param consecutiveBootFailures workers in a row that died before becoming ready
	 * @param anyWorkerEverReady whether any worker has ever become ready
	 * @return {@code true} to give up
	 */
	public static boolean shouldGiveUp(int consecutiveBootFailures, boolean anyWorkerEverReady) {
		return !anyWorkerEverReady && consecutiveBootFailures >= GIVE_UP_AFTER;
	}

}
