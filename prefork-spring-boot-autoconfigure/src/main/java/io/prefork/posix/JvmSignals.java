package io.prefork.posix;

import java.util.List;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import sun.misc.Signal;

/**
 * Which signals HotSpot keeps for itself. On Linux it suspends and resumes threads (for
 * JFR's sampler, for instance) with SIGUSR2, unless the environment variable
 * {@code _JAVA_SR_SIGNUM} names another signal when the JVM starts; a Java handler for
 * SIGUSR2 would then silently take that signal away from the VM, and a stray SIGUSR2 can
 * crash it.
 */
public final class JvmSignals {

	/** The variable HotSpot reads for its suspend/resume signal. */
	public static final String SUSPEND_RESUME_VARIABLE = "_JAVA_SR_SIGNUM";

	/**
	 * The suspend/resume signal prefork JVMs get: a real-time signal (SIGRTMIN+5) that
	 * nothing else sends, has no name in Java and is never a default action someone relies on.
	 */
	public static final String SUSPEND_RESUME_SIGNAL = "39";

	/**
	 * Signals whose default action ends the process but that mean nothing to a prefork
	 * server: handled as no-ops. Not SIGPROF and SIGVTALRM (profilers install their own
	 * handlers), nor SIGXCPU and SIGSYS (the kernel's verdict on this process), nor the
	 * real-time signals (Java cannot name them).
	 */
	public static final List<String> HARMLESS = List.of("ALRM", "IO", "PWR", "STKFLT");

	private static final int SIGUSR2 = 12;

	private JvmSignals() {
	}

	/**
	 * Whether this JVM moved its suspend/resume signal off SIGUSR2, so that SIGUSR2 may
	 * be handled. HotSpot accepts a signal above SIGPIPE (13) and below 65.
	 * @return {@code true} if SIGUSR2 is free
	 */
	public static boolean isSigusr2Free() {
		String value = System.getenv(SUSPEND_RESUME_VARIABLE);
		try {
			int signal = (value != null) ? Integer.parseInt(value.trim()) : SIGUSR2;
			return signal > 13 && signal < 65;
		}
		catch (NumberFormatException ex) {
			return false;
		}
	}

	/**
	 * Give a signal this process started with ignored its default action back, so that a
	 * Java handler can take it: HotSpot leaves an ignored SIGHUP, SIGINT or SIGTERM ignored
	 * and silently installs no handler for it. {@code nohup} starts a program with SIGHUP
	 * ignored, and a shell without job control its background jobs with SIGINT ignored.
	 * @param name the signal's name, e.g. {@code HUP}
	 * @return {@code true} if it was ignored and now has its default action
	 */
	public static boolean unignore(String name) {
		int number = new Signal(name).getNumber();
		LibC libc = LibC.INSTANCE;
		Pointer action = Memory.allocateDirect(LibC.RUNTIME, Linux.SIGACTION_SIZE, true);
		if (libc.sigaction(number, null, action) != 0 || action.getLong(0) != Linux.SIG_IGN) {
			return false;
		}
		Pointer defaultAction = Memory.allocateDirect(LibC.RUNTIME, Linux.SIGACTION_SIZE, true);
		return libc.sigaction(number, defaultAction, null) == 0;
	}

	/**
	 * Make the {@link #HARMLESS} signals harmless in this JVM. A no-op handler, not
	 * SIG_IGN: an ignored disposition would survive into every child program.
	 */
	public static void ignoreHarmless() {
		for (String name : HARMLESS) {
			Signal.handle(new Signal(name), (signal) -> {
			});
		}
	}

}
