package io.prefork.protocol;

import java.util.HashMap;
import java.util.Map;

/**
 * Who a worker is, passed by the master in one environment variable
 * ({@value #ENVIRONMENT_VARIABLE}) and parsed only here.
 *
 * @param slot the worker's slot in the pool (0-based, reused by its replacements)
 * @param generation how many workers the slot has had before this one
 * @param port the port the master listens on, which the worker reports as its own
 */
public record WorkerIdentity(int slot, int generation, int port) {

	/** The environment variable that carries the identity. */
	public static final String ENVIRONMENT_VARIABLE = "PREFORK_WORKER";

	/**
	 * Encode for the environment variable.
	 * @return e.g. {@code slot=1,generation=3,port=8080}
	 */
	public String encode() {
		return "slot=" + this.slot + ",generation=" + this.generation + ",port=" + this.port;
	}

	/**
	 * Parse the environment variable.
	 * @param value its value
	 * @return the identity
	 * @throws ProtocolException if the value is malformed
	 */
	public static WorkerIdentity parse(String value) {
		Map<String, Integer> fields = new HashMap<>();
		for (String field : value.split(",")) {
			String[] pair = field.split("=", 2);
			if (pair.length != 2) {
				throw new ProtocolException(ENVIRONMENT_VARIABLE + " field '" + field + "' is not name=value");
			}
			try {
				fields.put(pair[0].trim(), Integer.parseInt(pair[1].trim()));
			}
			catch (NumberFormatException ex) {
				throw new ProtocolException(ENVIRONMENT_VARIABLE + " field '" + field + "' is not a number");
			}
		}
		return new WorkerIdentity(required(fields, "slot"), required(fields, "generation"), required(fields, "port"));
	}

	private static int required(Map<String, Integer> fields, String name) {
		Integer value = fields.get(name);
		if (value == null) {
			throw new ProtocolException(ENVIRONMENT_VARIABLE + " lacks '" + name + "'");
		}
		return value;
	}

	/**
	 * Return this process's identity if it is a worker.
	 * @return the identity, or {@code null} outside a worker
	 */
	public static WorkerIdentity ofThisProcess() {
		String value = System.getenv(ENVIRONMENT_VARIABLE);
		return (value != null) ? parse(value) : null;
	}

}
