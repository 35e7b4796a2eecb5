package io.prefork;

/**
 * A configuration property has a value the prefork server cannot use.
 */
public class InvalidPropertyException extends PreforkException {

	private final String property;

	/**
	 * Create an exception.
	 * @param property the full property name, e.g. {@code server.prefork.workers}
	 * @param value the rejected value
	 * @param reason why it is rejected
	 */
	public InvalidPropertyException(String property, Object value, String reason) {
		super("Invalid value '" + value + "' for property '" + property + "': " + reason + ".",
				"Correct '" + property + "' in your configuration (it " + reason + ").",
				null);
		this.property = property;
	}

	/**
	 * Return the property.
	 * @return the full property name
	 */
	public String getProperty() {
		return this.property;
	}

}
