package io.prefork;

/**
 * How connections get from the listening socket to a worker: the family of preforking
 * designs.
 */
public enum DispatchMode {

	/**
	 * The master accepts and passes each connection's fd to the least-loaded worker
	 * (SCM_RIGHTS). Central queue, overload policies, no thundering herd; needs
	 * {@code --add-opens java.base/sun.nio.ch} in workers, which the master adds.
	 */
	PASS_FD("pass-fd"),

	/**
	 * Workers inherit the listening socket; the master polls it and commands one worker to
	 * accept. No JDK internals; no master queue.
	 */
	ACCEPT_ON_COMMAND("accept-on-command"),

	/**
	 * Workers inherit the listening socket and all accept on their own (the classic
	 * preforked pool). The master only supervises.
	 */
	SHARED_ACCEPT("shared-accept");

	private final String value;

	DispatchMode(String value) {
		this.value = value;
	}

	/**
	 * Return the configuration value.
	 * @return e.g. {@code pass-fd}
	 */
	public String value() {
		return this.value;
	}

	/**
	 * Parse a configuration value.
	 * @param value e.g. {@code pass-fd}
	 * @return the mode
	 * @throws IllegalArgumentException if no mode has that value
	 */
	public static DispatchMode of(String value) {
		for (DispatchMode mode : values()) {
			if (mode.value.equals(value)) {
				return mode;
			}
		}
		throw new IllegalArgumentException("Unknown dispatch mode '" + value + "'");
	}

	/**
	 * Whether workers inherit the listening socket (as their fd 0).
	 * @return {@code true} unless the master passes connections
	 */
	public boolean workersInheritListener() {
		return this != PASS_FD;
	}

}
