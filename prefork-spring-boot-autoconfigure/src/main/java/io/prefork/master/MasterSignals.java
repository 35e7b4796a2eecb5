package io.prefork.master;

import sun.misc.Signal;

/**
 * Turns the master's signals into commands. Handlers run on a JVM signal thread, so they
 * only enqueue: no logging, no pool state. (SIGQUIT stays the JVM's thread dump.)
 */
final class MasterSignals {

	private MasterSignals() {
	}

	static void install(CommandQueue commands) {
		for (MasterCommand command : MasterCommand.values()) {
			String name = command.signal.substring("SIG".length());
			Signal.handle(new Signal(name), (signal) -> commands.submit(command));
		}
	}

}
