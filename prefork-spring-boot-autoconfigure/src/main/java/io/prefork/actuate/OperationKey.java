package io.prefork.actuate;

import java.util.List;
import java.util.Locale;

import org.springframework.boot.actuate.endpoint.OperationType;

/**
 * Names one operation of one endpoint: the endpoint, the operation's type and its parameter
 * names (the loggers endpoint's two reads differ only in those).
 *
 * @param endpoint the endpoint's id
 * @param type the operation's type
 * @param parameters its parameter names, in order
 */
record OperationKey(String endpoint, OperationType type, List<String> parameters) {

	OperationKey {
		parameters = List.copyOf(parameters);
	}

	static OperationKey of(String endpoint, String type, List<String> parameters) {
		return new OperationKey(endpoint, OperationType.valueOf(type), parameters);
	}

	@Override
	public String toString() {
		return this.type.name().toLowerCase(Locale.ROOT) + " operation of endpoint '" + this.endpoint + "'";
	}

}
