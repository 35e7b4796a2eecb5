package io.prefork.master;

/**
 * Why the master turned a connection away.
 */
enum RejectReason {

	/** Every worker was busy and the queue was full. */
	OVERLOAD("overload"),

	/** It waited in the queue longer than {@code server.prefork.overload.max-queue-wait}. */
	QUEUE_TIMEOUT("queue-timeout"),

	/** No worker could take it although one looked available (all refused the hand-over). */
	HANDOFF_FAILED("handoff-failed"),

	/** It was still queued when the server began to stop. */
	SHUTDOWN("shutdown");

	/** The name used in logs and metrics. */
	final String tag;

	RejectReason(String tag) {
		this.tag = tag;
	}

}
