package io.prefork.autoconfigure;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.core.convert.ConversionFailedException;

import io.prefork.PreforkException;

/**
 * Describes a property the master could not bind with the facts Spring Boot's own analysis
 * of a bind failure gives, the master failing before Spring Boot's reporting is in place;
 * for an enum, the action lists the values that would bind.
 */
final class BindFailures {

	private BindFailures() {
	}

	/**
	 * Describe a bind failure.
	 * @param ex the failure
	 * @return a failure with a description and an action
	 */
	static PreforkException describe(BindException ex) {
		ConfigurationProperty property = ex.getProperty();
		Throwable reason = ex;
		Class<?> type = null;
		while (reason.getCause() != null) {
			reason = reason.getCause();
			if (reason instanceof ConversionFailedException conversion && conversion.getTargetType() != null) {
				type = conversion.getTargetType().getType();
			}
		}
		String description = "Failed to bind properties under '" + ex.getName() + "' to " + ex.getTarget().getType()
				+ ":\n\n    Property: " + ex.getName()
				+ ((property != null) ? "\n    Value: \"" + property.getValue() + "\"\n    Origin: " + property.getOrigin()
						: "")
				+ "\n    Reason: " + reason.getMessage();
		String action = "Update your application's configuration"
				+ ((type != null && type.isEnum()) ? ". The following values are valid: " + validValues(type) : "");
		return new PreforkException(description, action, ex);
	}

	// As written in properties: Spring Boot binds 'pass-fd' to PASS_FD.
	private static String validValues(Class<?> enumType) {
		return Arrays.stream(enumType.getEnumConstants())
			.map((constant) -> ((Enum<?>) constant).name().toLowerCase(Locale.ROOT).replace('_', '-'))
			.collect(Collectors.joining(", "));
	}

}
