package io.prefork.pool;

import io.prefork.PoolMode;

/**
 * How many workers to start or retire, from counts alone. Workers still starting count as
 * capacity on the way, so a slow boot never triggers a second spawn for the same need.
 */
public final class PoolSizing {

	private PoolSizing() {
	}

	/**
	 * How many workers to start now.
	 * @param counts the workers that serve or will serve (not those stopping)
	 * @param mode static or dynamic
	 * @param floor the fewest workers there must be (static: the pool size; dynamic: the
	 * initial size until it was reached once, then 1)
	 * @param minSpare the idle workers a dynamic pool keeps at least
	 * @param maxWorkers the most workers there may be
	 * @param maxStarting the most workers starting at once
	 * @return the number to start, 0 or more
	 */
	public static int toStart(Counts counts, PoolMode mode, int floor, int minSpare, int maxWorkers,
			int maxStarting) {
		int wanted = floor - counts.total();
		if (mode == PoolMode.DYNAMIC) {
			wanted = Math.max(wanted, minSpare - (counts.idle() + counts.starting()));
		}
		int room = Math.min(maxWorkers - counts.total(), maxStarting - counts.starting());
		return Math.max(0, Math.min(wanted, room));
	}

	/**
	 * Whether a dynamic pool has more idle workers than it keeps (the master then retires the
	 * one idle longest, once it has been idle for the idle timeout).
	 * @param counts the workers that serve or will serve
	 * @param mode static or dynamic
	 * @param maxSpare the idle workers a dynamic pool keeps at most
	 * @return {@code true} if one idle worker is one too many
	 */
	public static boolean tooManyIdle(Counts counts, PoolMode mode, int maxSpare) {
		return mode == PoolMode.DYNAMIC && counts.idle() > maxSpare && counts.total() > 1;
	}

	/**
	 * Workers by state, leaving out those stopping.
	 *
	 * @param starting not ready yet
	 * @param idle ready, holding no connection
	 * @param busy ready, holding connections
	 */
	public record Counts(int starting, int idle, int busy) {

		/**
		 * Return every worker counted.
		 * @return starting + idle + busy
		 */
		public int total() {
			return this.starting + this.idle + this.busy;
		}

	}

}
