package io.prefork.worker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The requests a worker is running: counted when they finish, and checked against the hard
 * request timeout. Threads cannot be stopped, so a request past its time dooms its process;
 * what the worker can still do is answer the client and explain.
 */
public final class RequestWatch {

	private final Set<Request> running = ConcurrentHashMap.newKeySet();

	private final AtomicLong served = new AtomicLong();

	private final Runnable onChange;

	/**
	 * Create a watch.
	 * @param onChange called after every start and finish (on the request's thread)
	 */
	public RequestWatch(Runnable onChange) {
		this.onChange = onChange;
	}

	/**
	 * Note that a request starts on the current thread.
	 * @param description e.g. {@code GET /hang}, for the log
	 * @param answer how to answer the client if it runs too long
	 * @return the request, to pass to {@link #finished(Request)}
	 */
	public Request started(String description, TimeoutAnswer answer) {
		Request request = new Request(description, Thread.currentThread(), System.nanoTime(),
				System.currentTimeMillis(), answer);
		this.running.add(request);
		this.onChange.run();
		return request;
	}

	/**
	 * Note that a request is done.
	 * @param request what {@link #started} returned
	 */
	public void finished(Request request) {
		this.running.remove(request);
		this.served.incrementAndGet();
		this.onChange.run();
	}

	/**
	 * Return how many requests are running.
	 * @return the count
	 */
	public int running() {
		return this.running.size();
	}

	/**
	 * Return the request running longest.
	 * @return the request, or {@code null} if none runs
	 */
	public Request oldest() {
		Request oldest = null;
		for (Request request : this.running) {
			if (oldest == null || request.startedAt() - oldest.startedAt() < 0) {
				oldest = request;
			}
		}
		return oldest;
	}

	/**
	 * Return how many requests finished.
	 * @return the count
	 */
	public long served() {
		return this.served.get();
	}

	/**
	 * Take the requests running longer than a timeout; each is returned once.
	 * @param timeout the timeout
	 * @return the expired requests
	 */
	List<Request> expired(Duration timeout) {
		long now = System.nanoTime();
		List<Request> expired = new ArrayList<>();
		for (Request request : this.running) {
			if (now - request.startedAt() > timeout.toNanos() && this.running.remove(request)) {
				expired.add(request);
			}
		}
		return expired;
	}

	/**
	 * Answers a timed-out request's client, if its response has not started.
	 */
	@FunctionalInterface
	public interface TimeoutAnswer {

		/**
		 * Send a complete error response and close the connection.
		 * @return {@code true} if it was sent, {@code false} if the response had already
		 * started (then the client sees the connection end)
		 */
		boolean send();

	}

	/**
	 * A running request.
	 *
	 * @param description e.g. {@code GET /hang}
	 * @param thread the thread running it
	 * @param startedAt its start, in nanoTime
	 * @param startedAtEpochMillis its start, in wall-clock time
	 * @param answer how to answer its client on timeout
	 */
	public record Request(String description, Thread thread, long startedAt, long startedAtEpochMillis,
			TimeoutAnswer answer) {
	}

}
