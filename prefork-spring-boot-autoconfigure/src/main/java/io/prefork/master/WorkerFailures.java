package io.prefork.master;

import io.prefork.posix.PosixException;

/**
 * What a dispatcher reports when talking to a worker fails; the master decides the rest.
 */
interface WorkerFailures {

	/**
	 * The worker's control channel is gone (the process is exiting).
	 * @param worker the worker
	 * @param now the current nanoTime
	 */
	void channelLost(WorkerProcess worker, long now);

	/**
	 * The worker misbehaves and must be killed.
	 * @param worker the worker
	 * @param now the current nanoTime
	 * @param reason what happened, for the log
	 */
	void kill(WorkerProcess worker, long now, String reason);

	/**
	 * Handing something over failed: a worker that is gone is let go, any other is killed.
	 * @param worker the worker
	 * @param now the current nanoTime
	 * @param failure why sending failed
	 * @param what what was being handed over, for the log
	 */
	default void handOverFailed(WorkerProcess worker, long now, PosixException failure, String what) {
		if (failure.peerGone()) {
			channelLost(worker, now);
		}
		else {
			kill(worker, now, "cannot hand over " + what + " (" + failure.getMessage() + ")");
		}
	}

}
