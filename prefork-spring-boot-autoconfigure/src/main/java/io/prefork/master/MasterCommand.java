package io.prefork.master;

/**
 * What other threads (signal handlers) ask of the master loop.
 */
enum MasterCommand {

	/** SIGTERM: stop accepting, let workers finish in-flight requests, exit 0. */
	STOP_GRACEFULLY("SIGTERM"),

	/** SIGINT: stop accepting and stop workers without waiting for long requests. */
	STOP_QUICKLY("SIGINT"),

	/** SIGHUP: replace every worker, one at a time, each new one ready before the old retires. */
	RELOAD("SIGHUP"),

	/** SIGTTIN: one worker more. */
	ADD_WORKER("SIGTTIN"),

	/** SIGTTOU: one worker fewer. */
	REMOVE_WORKER("SIGTTOU"),

	/** SIGUSR1: reopen log files, in the master and in every worker that started. */
	REOPEN_LOGS("SIGUSR1"),

	/** SIGUSR2: zero-downtime upgrade: start a new master and hand over to it once it serves. */
	UPGRADE("SIGUSR2");

	/** The signal that asks for it, for log lines. */
	final String signal;

	MasterCommand(String signal) {
		this.signal = signal;
	}

}
