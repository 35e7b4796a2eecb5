package io.prefork.worker;

import java.util.function.IntSupplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import sun.misc.Signal;

import io.prefork.posix.JvmSignals;

/**
 * A worker's answer to the signals that would otherwise end its JVM: SIGUSR1 reopens its
 * log files (the master relays it), SIGUSR2 (the master's upgrade signal) is logged and
 * ignored where HotSpot no longer uses it, the {@link JvmSignals#HARMLESS} ones do nothing. SIGTERM stays Spring's
 * graceful shutdown. Java runs each handler on a thread of its own, so doing the work
 * there holds up nothing.
 */
public final class WorkerSignals {

	private static final Log logger = LogFactory.getLog(WorkerSignals.class);

	private WorkerSignals() {
	}

	/**
	 * Install the handlers.
	 * @param reopener reopens the worker's log files and returns how many it reopened
	 */
	public static void install(IntSupplier reopener) {
		Signal.handle(new Signal("USR1"),
				(signal) -> logger.info("SIGUSR1: reopened " + reopener.getAsInt() + " log file(s)"));
		if (JvmSignals.isSigusr2Free()) {
			Signal.handle(new Signal("USR2"),
					(signal) -> logger.info("SIGUSR2 ignored: it upgrades the server when sent to the master"));
		}
		JvmSignals.ignoreHarmless();
	}

}
