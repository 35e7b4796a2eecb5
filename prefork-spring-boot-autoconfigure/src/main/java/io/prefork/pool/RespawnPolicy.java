package io.prefork.pool;

import java.time.Duration;

/**
 * When to replace a worker that died while starting, and when to give up. A worker that
 * cannot start must never become a crash loop that burns the CPU, and the pool must never
 * be empty with nothing starting. Back-off is for workers that fail on their own; a worker
 * killed from outside is replaced at once, and only paced when kills of starting workers
 * repeat (the OOM killer picking each new JVM).
 */
public final class RespawnPolicy {

	/** Boot failures in a row, with no worker ever ready, after which the master gives up. */
	public static final int GIVE_UP_AFTER = 3;

	private static final Duration FIRST_DELAY = Duration.ofSeconds(1);

	private static final Duration MAX_DELAY = Duration.ofSeconds(30);

	/** Kills of starting workers in a row that are replaced at once, before pacing. */
	static final int FREE_KILLS = 2;

	private static final Duration MAX_KILL_DELAY = Duration.ofSeconds(8);

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

	/**
	 * How long to wait before replacing a worker killed from outside before it was ready.
	 * @param consecutiveKills starting workers killed in a row (none became ready since)
	 * @return zero for the first {@value #FREE_KILLS}, then 1 s, 2 s, 4 s, 8 s at most
	 */
	public static Duration killedDelay(int consecutiveKills) {
		if (consecutiveKills <= FREE_KILLS) {
			return Duration.ZERO;
		}
		Duration delay = Duration.ofSeconds(1L << Math.min(consecutiveKills - FREE_KILLS - 1, 3));
		return (delay.compareTo(MAX_KILL_DELAY) > 0) ? MAX_KILL_DELAY : delay;
	}

	/**
	 * Whether a worker must start now whatever the back-off says: the pool has no worker
	 * serving and none starting, so waiting would leave clients with nothing at all.
	 * @param serving workers ready to serve
	 * @param starting workers starting
	 * @return {@code true} to start one now
	 */
	public static boolean mustStartNow(int serving, int starting) {
		return serving == 0 && starting == 0;
	}

}
