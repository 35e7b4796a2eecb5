package io.prefork.scoreboard;

import java.util.function.Supplier;

/**
 * Scoreboard snapshots, reused while nothing in the scoreboard changed: a metrics scrape
 * reads dozens of meters, and one snapshot per scrape is both cheaper and more coherent. No
 * time-based reuse: two workers answering one after the other must never show older values
 * second, or counters would seem to go backwards.
 */
public final class CachedSnapshots implements Supplier<ScoreboardSnapshot> {

	private final Scoreboard scoreboard;

	private ScoreboardSnapshot cached;

	private long cachedVersion;

	/**
	 * Create the cache.
	 * @param scoreboard the scoreboard
	 */
	public CachedSnapshots(Scoreboard scoreboard) {
		this.scoreboard = scoreboard;
	}

	@Override
	public synchronized ScoreboardSnapshot get() {
		long version = this.scoreboard.version();
		if (this.cached == null || version != this.cachedVersion) {
			// The version is read before the copy: a write during the copy forces a new one.
			this.cached = this.scoreboard.snapshot();
			this.cachedVersion = version;
		}
		return this.cached;
	}

	/**
	 * Return the number of worker slots (each slot has two rows: its worker and a
	 * successor or a retiring one).
	 * @return the slot count
	 */
	public int slots() {
		return this.scoreboard.rows() / 2;
	}

}
