package io.prefork.posix;

import jnr.constants.platform.Signal;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/**
 * Reaping and signalling child processes.
 */
public final class Processes {

	private static final POSIX POSIX = POSIXFactory.getNativePOSIX();

	private static final int PRIO_PROCESS = 0;

	private static final int RLIMIT_NOFILE = 7;

	private Processes() {
	}

	/**
	 * Reap one exited child without blocking.
	 * @return the child's pid and raw wait status, or {@code null} when no child has exited
	 */
	public static Reaped reapOne() {
		int[] status = new int[1];
		int pid = POSIX.waitpid(-1, status, Linux.WNOHANG);
		return (pid > 0) ? new Reaped(pid, status[0]) : null;
	}

	/**
	 * Raise this process's soft limit of open files towards a wanted value, as far as the
	 * hard limit allows.
	 * @param wanted the descriptors wanted
	 * @return the soft limit now in force
	 */
	public static long raiseOpenFilesLimit(long wanted) {
		jnr.posix.RLimit limit = POSIX.getrlimit(RLIMIT_NOFILE);
		long current = limit.rlimCur();
		if (current >= wanted || current < 0) {
			return current;
		}
		long raised = (limit.rlimMax() < 0) ? wanted : Math.min(wanted, limit.rlimMax());
		return (POSIX.setrlimit(RLIMIT_NOFILE, raised, limit.rlimMax()) == 0) ? raised : current;
	}

	/**
	 * Block until a child exits and reap it.
	 * @param pid the child
	 */
	public static void awaitExit(int pid) {
		POSIX.waitpid(pid, new int[1], 0);
	}

	/**
	 * Read a process's resident memory (RSS).
	 * @param pid the process
	 * @return its RSS in bytes, or {@code 0} if it cannot be read (e.g. it is gone)
	 */
	public static long residentBytes(int pid) {
		try {
			for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/" + pid + "/status"))) {
				if (line.startsWith("VmRSS:")) {
					return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
				}
			}
		}
		catch (java.io.IOException | NumberFormatException ex) {
			// gone, or not Linux
		}
		return 0;
	}

	/**
	 * Lower a process's CPU priority (raise its nice value), so that it only takes CPU time
	 * others leave; best effort.
	 * @param pid the process
	 * @param niceness the nice value, 0 (normal) to 19 (lowest)
	 */
	public static void lowerPriority(int pid, int niceness) {
		POSIX.setpriority(PRIO_PROCESS, pid, niceness);
	}

	/**
	 * Ask a process to stop (SIGTERM).
	 * @param pid the process
	 */
	public static void terminate(int pid) {
		signal(pid, Signal.SIGTERM);
	}

	/**
	 * Ask a process to stop quickly (SIGINT).
	 * @param pid the process
	 */
	public static void interrupt(int pid) {
		signal(pid, Signal.SIGINT);
	}

	/**
	 * Ask a process to reopen its log files (SIGUSR1).
	 * @param pid the process
	 */
	public static void reopenLogs(int pid) {
		signal(pid, Signal.SIGUSR1);
	}

	/**
	 * Kill a process (SIGKILL).
	 * @param pid the process
	 */
	public static void kill(int pid) {
		signal(pid, Signal.SIGKILL);
	}

	/**
	 * Kill a process and every process of the group it leads (SIGKILL): a helper spawned in
	 * a group of its own, and what it started.
	 * @param pid the process, leader of its group
	 */
	public static void killGroup(int pid) {
		signal(-pid, Signal.SIGKILL);
	}

	private static void signal(int pid, Signal signal) {
		// ESRCH (already gone) is the only failure, and harmless.
		POSIX.kill(pid, signal.intValue());
	}

	/**
	 * A reaped child.
	 *
	 * @param pid its pid
	 * @param status its raw {@code waitpid} status
	 */
	public record Reaped(int pid, int status) {
	}

}
