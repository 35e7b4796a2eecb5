package io.prefork.master;

/**
 * What other threads (signal handlers) ask of the master loop.
 */
enum MasterCommand {

	/** SIGTERM: stop accepting, let workers finish in-flight requests, exit 0. */
	STOP_GRACEFULLY("SIGTERM", "graceful stop"),

	/** SIGINT: stop accepting and stop workers without waiting for long requests. */
	STOP_QUICKLY("SIGINT", "quick stop"),

	/** SIGHUP: replace every worker, one at a time, each new one ready before the old retires. */
	RELOAD("SIGHUP", "rolling restart"),

	/** SIGTTIN: one worker more. */
	ADD_WORKER("SIGTTIN", "one worker more"),

	/** SIGTTOU: one worker fewer. */
	REMOVE_WORKER("SIGTTOU", "one worker fewer"),

	/** SIGUSR1: reopen log files, in the master and in every worker that started. */
	REOPEN_LOGS("SIGUSR1", "reopen log files"),

	/** SIGUSR2: zero-downtime upgrade: start a new master and hand over to it once it serves. */
	UPGRADE("SIGUSR2", "upgrade");

	/** The signal that asks for it, for log lines. */
	final String signal;

	/** What it does, in a few words, for log lines. */
	final String description;

	MasterCommand(String signal, String description) {
		this.signal = signal;
		this.description = description;
	}

}
