package io.prefork.master;

import sun.misc.Signal;

import io.prefork.posix.JvmSignals;

/**
 * Turns the master's signals into commands. Handlers run on a JVM signal thread, so they
 * only enqueue: no logging, no pool state. (SIGQUIT stays the JVM's thread dump.) SIGUSR2
 * is taken only where HotSpot no longer uses it; the {@link JvmSignals#HARMLESS} signals,
 * which would end the JVM, do nothing.
 */
final class MasterSignals {

	private MasterSignals() {
	}

	static void install(CommandQueue commands) {
		for (MasterCommand command : MasterCommand.values()) {
			if (command != MasterCommand.UPGRADE || JvmSignals.isSigusr2Free()) {
				String name = command.signal.substring("SIG".length());
				Signal.handle(new Signal(name), (signal) -> commands.submit(command));
			}
		}
		JvmSignals.ignoreHarmless();
	}

}
