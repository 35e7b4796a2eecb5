package io.prefork;

/**
 * What the master does with a new connection when no worker can take it and its own queue
 * is full.
 */
public enum OverloadPolicy {

	/** Stop accepting: connections wait in the kernel's listen backlog (the graceful way). */
	BACKPRESSURE,

	/** Accept and close at once (the abrupt way). */
	CLOSE,

	/** Accept and answer {@code 503 Service Unavailable} with {@code Retry-After}. */
	REJECT

}
