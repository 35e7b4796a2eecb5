package io.prefork.master;

import io.prefork.scoreboard.PoolCounter;

/**
 * Why the master turned a connection away.
 */
enum RejectReason {

	/** Every worker was busy and the queue was full. */
	OVERLOAD("overload", PoolCounter.REJECTED_OVERLOAD),

	/** It waited in the queue longer than {@code server.prefork.overload.max-queue-wait}. */
	QUEUE_TIMEOUT("queue-timeout", PoolCounter.REJECTED_QUEUE_TIMEOUT),

	/** No worker could take it although one looked available (all refused the hand-over). */
	HANDOFF_FAILED("handoff-failed", PoolCounter.REJECTED_HANDOFF_FAILED),

	/** It was still queued when the server began to stop. */
	SHUTDOWN("shutdown", PoolCounter.REJECTED_SHUTDOWN),

	/** Its worker died after reading a request and before answering it: a {@code 502}. */
	WORKER_LOST("worker-lost", PoolCounter.REJECTED_WORKER_LOST),

	/** Its worker died between requests with the next one unread. */
	WORKER_LOST_UNREAD("worker-lost-unread", PoolCounter.REJECTED_WORKER_LOST_UNREAD);

	/** The name used in logs and metrics. */
	final String tag;

	/** Where it is counted. */
	final PoolCounter counter;

	RejectReason(String tag, PoolCounter counter) {
		this.tag = tag;
		this.counter = counter;
	}

}
