package io.prefork.master;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import sun.misc.Signal;

import io.prefork.posix.JvmSignals;

/**
 * Turns the master's signals into commands. Handlers run on a JVM signal thread, so they
 * only enqueue: no logging, no pool state. (SIGQUIT stays the JVM's thread dump.) SIGUSR2
 * is taken only where HotSpot no longer uses it; the {@link JvmSignals#HARMLESS} signals,
 * which would end the JVM, do nothing. A signal the master was started with ignored (nohup)
 * is taken back: the master acts on every signal it documents.
 */
final class MasterSignals {

	private static final Log logger = LogFactory.getLog(MasterSignals.class);

	private MasterSignals() {
	}

	static void install(CommandQueue commands) {
		for (MasterCommand command : MasterCommand.values()) {
			if (command != MasterCommand.UPGRADE || JvmSignals.isSigusr2Free()) {
				String name = command.signal.substring("SIG".length());
				if (JvmSignals.unignore(name)) {
					logger.info(command.signal + " was ignored when the master started (as nohup does); the master "
							+ "handles it: " + command.description);
				}
				Signal.handle(new Signal(name), (signal) -> commands.submit(command));
			}
		}
		JvmSignals.ignoreHarmless();
	}

}
