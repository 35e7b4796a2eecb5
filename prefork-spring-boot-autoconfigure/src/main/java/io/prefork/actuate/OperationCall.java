package io.prefork.actuate;

import java.io.Serializable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An actuator operation to run in another worker: which one, and the arguments the web layer
 * took from the request (path, query and body), before conversion.
 *
 * @param endpoint the endpoint's id
 * @param type {@code READ}, {@code WRITE} or {@code DELETE}
 * @param parameters the operation's parameter names, which tell apart the operations of one
 * type of an endpoint
 * @param arguments the arguments by name (strings, numbers, booleans, lists and maps)
 */
record OperationCall(String endpoint, String type, List<String> parameters, HashMap<String, Object> arguments)
		implements Serializable {

	OperationCall(OperationKey key, Map<String, Object> arguments) {
		this(key.endpoint(), key.type().name(), key.parameters(), new HashMap<>(arguments));
	}

	OperationKey key() {
		return OperationKey.of(this.endpoint, this.type, this.parameters);
	}

	byte[] toBytes() {
		return Serialized.toBytes(this);
	}

	static OperationCall fromBytes(byte[] bytes) {
		return Serialized.fromBytes(bytes, OperationCall.class);
	}

}
