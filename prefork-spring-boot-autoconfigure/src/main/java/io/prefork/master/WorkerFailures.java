package io.prefork.master;

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

}
