package io.prefork.pool;

import io.prefork.OverloadPolicy;

/**
 * What to do about the connections waiting to be accepted, given how full the pool and the
 * master's queue are. Pure, so the overload policy is tested with plain values.
 */
public enum AdmissionDecision {

	/** Accept: a worker can take the connection, or the queue has room. */
	ACCEPT,

	/** Leave connections in the kernel backlog; do not even poll the listening socket. */
	STOP_ACCEPTING,

	/** Accept and close at once. */
	ACCEPT_AND_CLOSE,

	/** Accept and answer 503. */
	ACCEPT_AND_REJECT;

	/**
	 * Decide.
	 * @param workerAvailable whether a worker can take a connection now
	 * @param queued connections the master holds, waiting for a worker
	 * @param queueSize how many it may hold
	 * @param policy the overload policy
	 * @return the decision
	 */
	public static AdmissionDecision decide(boolean workerAvailable, int queued, int queueSize,
			OverloadPolicy policy) {
		if ((workerAvailable && queued == 0) || queued < queueSize) {
			return ACCEPT;
		}
		return switch (policy) {
			case BACKPRESSURE -> STOP_ACCEPTING;
			case CLOSE -> ACCEPT_AND_CLOSE;
			case REJECT -> ACCEPT_AND_REJECT;
		};
	}

}
