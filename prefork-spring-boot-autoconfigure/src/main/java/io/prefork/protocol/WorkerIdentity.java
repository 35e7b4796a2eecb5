package io.prefork.protocol;

import java.util.HashMap;
import java.util.Map;

import io.prefork.DispatchMode;

/**
 * Who a worker is, passed by the master in one environment variable
 * ({@value #ENVIRONMENT_VARIABLE}) and parsed only here.
 *
 * @param slot the worker's slot in the pool (0-based, reused by its replacements)
 * @param generation how many workers the slot has had before this one
 * @param port the port the master listens on, which the worker reports as its own
 * @param managementPort the separate management port the master listens on, which the
 * worker's management server reports as its own, or {@code 0} for none
 * @param dispatch how the worker gets its connections
 * @param row the worker's row in the scoreboard
 * @param scoreboard the scoreboard file
 * @param initialises whether the worker initialises the application's database (false for
 * the workers after the first with {@code server.prefork.sql-init=first-worker})
 */
public record WorkerIdentity(int slot, int generation, int port, int managementPort, DispatchMode dispatch, int row,
		String scoreboard, boolean initialises) {

	/**
	 * Create the identity of a worker that initialises the application's database.
	 * @param slot the worker's slot in the pool
	 * @param generation how many workers the slot has had before this one
	 * @param port the port the master listens on
	 * @param managementPort the separate management port, or {@code 0} for none
	 * @param dispatch how the worker gets its connections
	 * @param row the worker's row in the scoreboard
	 * @param scoreboard the scoreboard file
	 */
	public WorkerIdentity(int slot, int generation, int port, int managementPort, DispatchMode dispatch, int row,
			String scoreboard) {
		this(slot, generation, port, managementPort, dispatch, row, scoreboard, true);
	}

	/** The environment variable that carries the identity. */
	public static final String ENVIRONMENT_VARIABLE = "PREFORK_WORKER";

	/**
	 * Encode for the environment variable.
	 * @return e.g. {@code slot=1,generation=3,port=8080,dispatch=pass-fd,row=2,scoreboard=/tmp/x}
	 * (the scoreboard path last, so it may hold any character but a newline), with
	 * {@code management-port=8081} after the port when there is one, and
	 * {@code sql-init=skip} before the scoreboard for a worker that does not initialise the
	 * database
	 */
	public String encode() {
		return "slot=" + this.slot + ",generation=" + this.generation + ",port=" + this.port
				+ ((this.managementPort != 0) ? ",management-port=" + this.managementPort : "") + ",dispatch="
				+ this.dispatch.value() + ",row=" + this.row + (this.initialises ? "" : ",sql-init=skip")
				+ ",scoreboard=" + this.scoreboard;
	}

	/**
	 * Parse the environment variable.
	 * @param value its value
	 * @return the identity
	 * @throws ProtocolException if the value is malformed
	 */
	public static WorkerIdentity parse(String value) {
		Map<String, String> fields = new HashMap<>();
		int path = value.indexOf("scoreboard=");
		if (path >= 0) {
			fields.put("scoreboard", value.substring(path + "scoreboard=".length()));
			value = value.substring(0, path);
		}
		for (String field : value.split(",")) {
			if (field.isBlank()) {
				continue;
			}
			String[] pair = field.split("=", 2);
			if (pair.length != 2) {
				throw new ProtocolException(ENVIRONMENT_VARIABLE + " field '" + field + "' is not name=value");
			}
			fields.put(pair[0].trim(), pair[1].trim());
		}
		try {
			int managementPort = fields.containsKey("management-port") ? number(fields, "management-port") : 0;
			return new WorkerIdentity(number(fields, "slot"), number(fields, "generation"), number(fields, "port"),
					managementPort, DispatchMode.of(required(fields, "dispatch")), number(fields, "row"),
					required(fields, "scoreboard"), !"skip".equals(fields.get("sql-init")));
		}
		catch (IllegalArgumentException ex) {
			throw new ProtocolException(ENVIRONMENT_VARIABLE + ": " + ex.getMessage());
		}
	}

	private static int number(Map<String, String> fields, String name) {
		String value = required(fields, name);
		try {
			return Integer.parseInt(value);
		}
		catch (NumberFormatException ex) {
			throw new ProtocolException(ENVIRONMENT_VARIABLE + " field '" + name + "=" + value + "' is not a number");
		}
	}

	private static String required(Map<String, String> fields, String name) {
		String value = fields.get(name);
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
