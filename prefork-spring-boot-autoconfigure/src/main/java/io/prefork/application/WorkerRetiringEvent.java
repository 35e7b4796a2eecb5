package io.prefork.application;

import org.springframework.context.ApplicationEvent;

/**
 * Published in a worker when the master retires it, before the application context closes:
 * the last moment to hand state on (flush a cache or a buffer, finish a batch, deregister).
 * The worker's in-flight requests still run; the master kills the worker if it is not gone
 * within {@code server.prefork.timeouts.graceful-shutdown}.
 */
public class WorkerRetiringEvent extends ApplicationEvent {

	private final String reason;

	/**
	 * Create the event.
	 * @param worker the retiring worker
	 * @param reason why: {@code recycled} (max-requests, max-age or a rolling restart),
	 * {@code rss} (max-rss), {@code scaled-down}, {@code request-timeout} or
	 * {@code shutdown}
	 */
	public WorkerRetiringEvent(WorkerInfo worker, String reason) {
		super(worker);
		this.reason = reason;
	}

	/**
	 * Return the retiring worker.
	 * @return the worker
	 */
	public WorkerInfo getWorker() {
		return (WorkerInfo) getSource();
	}

	/**
	 * Return why the worker retires.
	 * @return {@code recycled}, {@code rss}, {@code scaled-down}, {@code request-timeout} or
	 * {@code shutdown}
	 */
	public String getReason() {
		return this.reason;
	}

}
