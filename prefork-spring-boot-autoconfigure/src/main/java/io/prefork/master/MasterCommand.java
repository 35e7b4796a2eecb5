package io.prefork.master;

/**
 * What other threads (signal handlers) ask of the master loop.
 */
enum MasterCommand {

	/** SIGTERM: stop accepting, let workers finish in-flight requests, exit 0. */
	STOP_GRACEFULLY("SIGTERM"),

	/** SIGINT: stop accepting and stop workers without waiting for long requests. */
	STOP_QUICKLY("SIGINT");

	/** The signal that asks for it, for log lines. */
	final String signal;

	MasterCommand(String signal) {
		this.signal = signal;
	}

}
