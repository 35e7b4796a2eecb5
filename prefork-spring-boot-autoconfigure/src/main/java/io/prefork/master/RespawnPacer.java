package io.prefork.master;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.prefork.PreforkException;
import io.prefork.pool.ExitCause;
import io.prefork.pool.RespawnPolicy;

/**
 * When the master may start workers again after starts that failed or were killed, and when
 * it gives up because the application cannot start. Back-off judges the application: only
 * workers that fail on their own before they are ready (an exit, a boot timeout) slow
 * respawning down; starting workers killed from outside are replaced at once, and paced
 * only when such kills repeat (an OOM killer picking every new JVM must not become a spawn
 * loop). Whatever it says, a pool with no worker serving and none starting starts one.
 * Touched only by the master loop thread.
 */
final class RespawnPacer {

	private int consecutiveBootFailures;

	private int consecutiveBootKills;

	private boolean anyWorkerEverReady;

	/** When the back-off lets workers start again. */
	private long nextSpawnAt;

	/** When spawning may be tried again after the spawn itself failed (never overridden). */
	private long spawnRetryAt;

	/**
	 * A worker that was never ready ended.
	 * @param cause why
	 * @param now the current nanoTime
	 * @return how long replacements wait now
	 */
	Duration startFailed(ExitCause cause, long now) {
		Duration delay;
		if (cause == ExitCause.KILLED) {
			this.consecutiveBootKills++;
			delay = RespawnPolicy.killedDelay(this.consecutiveBootKills);
		}
		else {
			this.consecutiveBootFailures++;
			delay = RespawnPolicy.respawnDelay(this.consecutiveBootFailures);
		}
		this.nextSpawnAt = Dispatcher.later(this.nextSpawnAt, now + delay.toNanos());
		return delay;
	}

	/**
	 * The spawn itself failed (no process, or no control channel).
	 * @param now the current nanoTime
	 * @param countsAsBootFailure whether it counts towards giving up
	 */
	void spawnFailed(long now, boolean countsAsBootFailure) {
		if (countsAsBootFailure) {
			this.consecutiveBootFailures++;
			this.spawnRetryAt = now + RespawnPolicy.respawnDelay(this.consecutiveBootFailures).toNanos();
		}
		else {
			this.spawnRetryAt = now + TimeUnit.SECONDS.toNanos(1);
		}
	}

	/**
	 * A worker became ready: the application can start, the streaks end, and so does any
	 * waiting they imposed (the rest of the pool starts now, not after a pause meant for a
	 * failing application or an OOM killer).
	 * @param now the current nanoTime
	 */
	void workerReady(long now) {
		this.anyWorkerEverReady = true;
		this.consecutiveBootFailures = 0;
		this.consecutiveBootKills = 0;
		this.nextSpawnAt = now;
	}

	/**
	 * How many of the workers the pool wants may start now.
	 * @param wanted workers the pool wants started
	 * @param serving workers ready to serve
	 * @param starting workers starting
	 * @param now the current nanoTime
	 * @return at most {@code wanted}
	 */
	int startsAllowed(int wanted, int serving, int starting, long now) {
		if (now - this.spawnRetryAt < 0) {
			return 0;
		}
		if (now - this.nextSpawnAt < 0) {
			return RespawnPolicy.mustStartNow(serving, starting) ? Math.min(wanted, 1) : 0;
		}
		return wanted;
	}

	/**
	 * Whether planned replacements (recycling) may start: not while backing off.
	 * @param now the current nanoTime
	 * @return {@code true} if they may
	 */
	boolean replacementsAllowed(long now) {
		return now - this.nextSpawnAt >= 0 && now - this.spawnRetryAt >= 0;
	}

	/**
	 * Return the earlier of {@code next} and when starting may resume.
	 * @param next the loop's next deadline so far
	 * @param now the current nanoTime
	 * @return a nanoTime
	 */
	long nextDeadline(long next, long now) {
		long deadline = (this.nextSpawnAt - now > 0) ? Dispatcher.earlier(next, this.nextSpawnAt) : next;
		return (this.spawnRetryAt - now > 0) ? Dispatcher.earlier(deadline, this.spawnRetryAt) : deadline;
	}

	/**
	 * Stop the server if the application evidently cannot start.
	 * @throws PreforkException if workers in a row failed before they were ready, none ever was
	 */
	void checkApplicationCanStart() {
		if (RespawnPolicy.shouldGiveUp(this.consecutiveBootFailures, this.anyWorkerEverReady)) {
			throw new PreforkException("No worker could start: " + this.consecutiveBootFailures
					+ " workers in a row exited or timed out before they were ready, and none ever was.",
					"Read the workers' output above for the cause (the application itself may fail to start), "
							+ "or allow more time with 'server.prefork.timeouts.boot'.",
					null);
		}
	}

	boolean anyWorkerEverReady() {
		return this.anyWorkerEverReady;
	}

	int consecutiveBootFailures() {
		return this.consecutiveBootFailures;
	}

}
