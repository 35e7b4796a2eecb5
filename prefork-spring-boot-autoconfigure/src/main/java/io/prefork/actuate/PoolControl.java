package io.prefork.actuate;

/**
 * Asks the master for a change to the pool (the endpoint runs in a worker).
 */
@FunctionalInterface
public interface PoolControl {

	/**
	 * Ask for a change; the master carries it out as it would the matching signal.
	 * @param action the change
	 */
	void request(Action action);

	/**
	 * A change to the pool.
	 */
	enum Action {

		/** Replace every worker, one at a time (as SIGHUP). */
		RELOAD,

		/** One worker more (as SIGTTIN). */
		ADD_WORKER,

		/** One worker fewer (as SIGTTOU). */
		REMOVE_WORKER

	}

}
