package io.prefork.pool;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * When to train a class-data archive again after a training run failed, and which files the
 * archive cache keeps. A failed training never holds workers back (they start without an
 * archive meanwhile), so retries only have to be bounded and out of the workers' way.
 */
public final class ClassDataPolicy {

	/** Training runs one master makes at most, the first included. */
	public static final int MAX_ATTEMPTS = 3;

	/** How long after the first failed run the next one starts; the delay then doubles. */
	public static final Duration FIRST_RETRY_DELAY = Duration.ofSeconds(30);

	/** Archives (the current one included) the cache keeps at most. */
	public static final int KEEP_AT_MOST = 5;

	/** How long an archive no master has used is kept. */
	public static final Duration KEEP_UNUSED = Duration.ofDays(30);

	/**
	 * How long a temporary file may stay even while the master that wrote it seems to run
	 * (its pid may have been reused): far longer than any training run.
	 */
	public static final Duration TEMPORARY_FILE_LIFETIME = Duration.ofHours(1);

	private ClassDataPolicy() {
	}

	/**
	 * How long to wait before the next training run.
	 * @param failedRuns training runs of this master that failed so far
	 * @param firstDelay the delay after the first failure
	 * @return the first delay, doubled for every further failure, or {@code null} to give
	 * up because {@link #MAX_ATTEMPTS} runs failed
	 */
	public static Duration retryDelay(int failedRuns, Duration firstDelay) {
		if (failedRuns >= MAX_ATTEMPTS) {
			return null;
		}
		int doublings = Math.min(Math.max(failedRuns - 1, 0), 10);
		return firstDelay.multipliedBy(1L << doublings);
	}

	/**
	 * Whether a training run that is due may start now. It waits while workers boot, so that
	 * it takes no CPU time from them.
	 * @param now the current {@link System#nanoTime()}
	 * @param dueAt when the run is due, in the same clock
	 * @param workersStarting workers that are booting
	 * @return {@code true} to start it
	 */
	public static boolean mayRetry(long now, long dueAt, int workersStarting) {
		return now - dueAt >= 0 && workersStarting == 0;
	}

	/**
	 * Whether a temporary file of a training run is left over and may be deleted.
	 * @param ownerAlive whether the master named in the file still runs
	 * @param age how long ago the file was last written
	 * @return {@code true} if nothing will use it again
	 */
	public static boolean isStaleTemporaryFile(boolean ownerAlive, Duration age) {
		return !ownerAlive || age.compareTo(TEMPORARY_FILE_LIFETIME) > 0;
	}

	/**
	 * Choose the archives to delete from the cache: the current one stays; others go when
	 * unused for longer than {@link #KEEP_UNUSED}, and the least recently used go beyond
	 * {@link #KEEP_AT_MOST} in all.
	 * @param archives the archives in the cache
	 * @param current the name of the archive of this master, which may not exist yet
	 * @param now the current time
	 * @return the names of the archives to delete
	 */
	public static List<String> archivesToDelete(List<CachedArchive> archives, String current, Instant now) {
		List<CachedArchive> others = archives.stream()
			.filter((archive) -> !archive.name().equals(current))
			.sorted(Comparator.comparing(CachedArchive::lastUsed).reversed())
			.toList();
		List<String> delete = new ArrayList<>();
		Instant unusedSince = now.minus(KEEP_UNUSED);
		for (int i = 0; i < others.size(); i++) {
			CachedArchive archive = others.get(i);
			if (i >= KEEP_AT_MOST - 1 || archive.lastUsed().isBefore(unusedSince)) {
				delete.add(archive.name());
			}
		}
		return delete;
	}

	/**
	 * An archive in the cache.
	 *
	 * @param name its name, without extension
	 * @param lastUsed when a master last trained, published or started a worker from it
	 */
	public record CachedArchive(String name, Instant lastUsed) {
	}

}
