package io.prefork.master;

import sun.misc.Signal;

/**
 * Turns the master's signals into commands. Handlers run on a JVM signal thread, so they
 * only enqueue: no logging, no pool state.
 */
final class MasterSignals {

	private MasterSignals() {
	}

	static void install(CommandQueue commands) {
		Signal.handle(new Signal("TERM"), (signal) -> commands.submit(MasterCommand.STOP_GRACEFULLY));
		Signal.handle(new Signal("INT"), (signal) -> commands.submit(MasterCommand.STOP_QUICKLY));
	}

}
