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

	/**
	 * Note that a request starts on the current thread.
	 * @param description e.g. {@code GET /hang}, for the log
	 * @param answer how to answer the client if it runs too long
	 * @return the request, to pass to {@link #finished(Request)}
	 */
	public Request started(String description, TimeoutAnswer answer) {
		Request request = new Request(description, Thread.currentThread(), System.nanoTime(), answer);
		this.running.add(request);
		return request;
	}

	/**
	 * Note that a request is done.
	 * @param request what {@link #started} returned
	 */
	public void finished(Request request) {
		this.running.remove(request);
		this.served.incrementAndGet();
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
	 * @param answer how to answer its client on timeout
	 */
	public record Request(String description, Thread thread, long startedAt, TimeoutAnswer answer) {
	}

}
