package io.prefork;

/**
 * The prefork server cannot run, with a description of why and an action for the user.
 */
public class PreforkException extends RuntimeException {

	private final String action;

	/**
	 * Create an exception.
	 * @param description what went wrong
	 * @param action what the user can do about it
	 * @param cause the underlying failure, or {@code null}
	 */
	public PreforkException(String description, String action, Throwable cause) {
		super(description, cause);
		this.action = action;
	}

	/**
	 * Return what the user can do about it.
	 * @return the action
	 */
	public String getAction() {
		return this.action;
	}

}
