package io.prefork.pool;

import java.util.Map;

/**
 * How a worker process ended, decoded from a raw {@code waitpid} status.
 *
 * @param exitCode the exit code, or {@code -1} if a signal ended it
 * @param signal the signal that ended it, or {@code 0}
 */
public record ExitStatus(int exitCode, int signal) {

	private static final int OUT_OF_MEMORY_EXIT_CODE = 3;

	private static final int SIGHUP = 1;

	private static final int SIGINT = 2;

	private static final int SIGKILL = 9;

	private static final int SIGTERM = 15;

	private static final Map<Integer, String> SIGNAL_NAMES = Map.of(1, "SIGHUP", 2, "SIGINT", 3, "SIGQUIT", 6,
			"SIGABRT", 9, "SIGKILL", 11, "SIGSEGV", 15, "SIGTERM");

	/**
	 * Decode a raw wait status (the Linux layout: low 7 bits the signal, next 8 the code).
	 * @param raw the status
	 * @return the exit status
	 */
	public static ExitStatus fromWaitStatus(int raw) {
		int signal = raw & 0x7F;
		return (signal == 0) ? new ExitStatus((raw >> 8) & 0xFF, 0) : new ExitStatus(-1, signal);
	}

	/**
	 * Whether something outside the process ended it: SIGKILL (the OOM killer, an operator,
	 * a chaos tool) or SIGHUP, SIGINT or SIGTERM, which a JVM answers by exiting with 128 plus
	 * the signal's number after its shutdown hooks (or dies of, before it handles signals).
	 * Crashes of the process itself (SIGSEGV, SIGABRT from a JVM abort) are not.
	 * @return {@code true} if it was killed from outside
	 */
	public boolean killedFromOutside() {
		int bySignal = (this.signal != 0) ? this.signal : this.exitCode - 128;
		return bySignal == SIGKILL || bySignal == SIGHUP || bySignal == SIGINT || bySignal == SIGTERM;
	}

	/**
	 * Whether the JVM ended itself on an {@code OutOfMemoryError}: HotSpot exits with code 3
	 * under {@code -XX:+ExitOnOutOfMemoryError}.
	 * @return {@code true} for exit code 3
	 */
	public boolean outOfMemoryExit() {
		return this.exitCode == OUT_OF_MEMORY_EXIT_CODE;
	}

	/**
	 * Describe it for a log line.
	 * @return e.g. "exited with code 1" or "killed by signal 9 (SIGKILL)"
	 */
	public String describe() {
		if (this.signal == 0) {
			return "exited with code " + this.exitCode + (outOfMemoryExit() ? " (out of heap memory)" : "");
		}
		String name = SIGNAL_NAMES.get(this.signal);
		return "killed by signal " + this.signal + ((name != null) ? " (" + name + ")" : "");
	}

}
