package io.prefork.pool;

import java.time.Duration;

/**
 * When a healthy worker should be replaced anyway: it served enough requests, grew too big,
 * or lived long enough. Leaks and fragmentation then never outlive a worker.
 */
public final class RecyclePolicy {

	private RecyclePolicy() {
	}

	/**
	 * Say why a worker should be recycled.
	 * @param requestsServed requests it completed
	 * @param maxRequests its request limit (with its jitter), {@code 0} for none
	 * @param rssBytes its resident memory, {@code 0} if unknown
	 * @param maxRssBytes the memory limit, {@code 0} for none
	 * @param age how long it has lived
	 * @param maxAge the age limit, or {@code null} for none
	 * @return why, or {@code null} to keep it
	 */
	public static Recycle reason(long requestsServed, long maxRequests, long rssBytes, long maxRssBytes, Duration age,
			Duration maxAge) {
		if (maxRequests > 0 && requestsServed >= maxRequests) {
			return new Recycle(ExitCause.RECYCLED, "served " + requestsServed + " requests, max-requests " + maxRequests);
		}
		if (maxRssBytes > 0 && rssBytes > maxRssBytes) {
			return new Recycle(ExitCause.RSS, "RSS " + (rssBytes >> 20) + " MB > max-rss " + (maxRssBytes >> 20) + " MB");
		}
		if (maxAge != null && age.compareTo(maxAge) >= 0) {
			return new Recycle(ExitCause.RECYCLED, "age " + age.toSeconds() + " s >= max-age " + maxAge.toSeconds() + " s");
		}
		return null;
	}

	/**
	 * Why a worker is recycled.
	 *
	 * @param cause the exit cause it will have
	 * @param description the numbers, for the log
	 */
	public record Recycle(ExitCause cause, String description) {
	}

	/**
	 * A worker's own request limit: jitter keeps workers from all recycling at once.
	 * @param maxRequests the configured limit, {@code 0} for none
	 * @param jitter the configured jitter
	 * @param random a random number in [0, 1)
	 * @return the limit for one worker
	 */
	public static long requestLimit(long maxRequests, long jitter, double random) {
		return (maxRequests > 0) ? maxRequests + (long) (random * (jitter + 1)) : 0;
	}

}
