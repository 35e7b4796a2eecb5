package io.prefork.scoreboard;

import java.time.Instant;

/**
 * Writes a snapshot as JSON for the master's status listener, which has no JSON library.
 * Times are ISO-8601 instants, or {@code null} when not yet recorded (0); counter names are
 * the kebab-case of {@link PoolCounter}'s constants.
 */
public final class ScoreboardJson {

	private ScoreboardJson() {
	}

	/**
	 * Write a snapshot as one JSON object.
	 * @param snapshot the snapshot
	 * @param nowEpochMillis the current time, for how long current requests have run
	 * @return the JSON text
	 */
	public static String write(ScoreboardSnapshot snapshot, long nowEpochMillis) {
		StringBuilder json = new StringBuilder(256 + 384 * snapshot.rows().size());
		json.append("{\"startedAt\":");
		instant(json, snapshot.startedAtEpochMillis());
		json.append(",\"dispatch\":");
		string(json, snapshot.dispatch());
		json.append(",\"counters\":{");
		for (PoolCounter counter : PoolCounter.values()) {
			json.append((counter.ordinal() > 0) ? "," : "").append('"').append(counter.tag()).append("\":");
			json.append(snapshot.counter(counter));
		}
		json.append("},\"workers\":[");
		for (int i = 0; i < snapshot.rows().size(); i++) {
			json.append((i > 0) ? "," : "");
			row(json, snapshot.rows().get(i), nowEpochMillis);
		}
		return json.append("]}").toString();
	}

	private static void row(StringBuilder json, ScoreboardSnapshot.Row row, long now) {
		json.append("{\"row\":").append(row.row());
		json.append(",\"slot\":").append(row.slot());
		json.append(",\"pid\":").append(row.pid());
		json.append(",\"generation\":").append(row.generation());
		json.append(",\"state\":");
		string(json, row.state());
		json.append(",\"startedAt\":");
		instant(json, row.startedAtEpochMillis());
		json.append(",\"rssBytes\":").append(row.rssBytes());
		json.append(",\"openConnections\":").append(row.openConnections());
		json.append(",\"connectionsHandedOver\":").append(row.connectionsHandedOver());
		json.append(",\"requestsServed\":").append(row.requestsServed());
		json.append(",\"busyThreads\":").append(row.busyThreads());
		json.append(",\"lastHeartbeat\":");
		instant(json, row.lastHeartbeatEpochMillis());
		json.append(",\"currentRequest\":");
		string(json, row.currentRequest());
		json.append(",\"currentRequestMillis\":");
		boolean running = row.currentRequest() != null && row.currentRequestStartedAtEpochMillis() != 0;
		json.append(running ? String.valueOf(Math.max(0, now - row.currentRequestStartedAtEpochMillis())) : "null");
		json.append('}');
	}

	private static void instant(StringBuilder json, long epochMillis) {
		if (epochMillis == 0) {
			json.append("null");
		}
		else {
			json.append('"').append(Instant.ofEpochMilli(epochMillis)).append('"');
		}
	}

	private static void string(StringBuilder json, String value) {
		if (value == null) {
			json.append("null");
			return;
		}
		json.append('"');
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			switch (c) {
				case '"' -> json.append("\\\"");
				case '\\' -> json.append("\\\\");
				case '\n' -> json.append("\\n");
				case '\r' -> json.append("\\r");
				case '\t' -> json.append("\\t");
				case '\b' -> json.append("\\b");
				case '\f' -> json.append("\\f");
				default -> {
					if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
						json.append(String.format("\\u%04x", (int) c));
					}
					else {
						json.append(c);
					}
				}
			}
		}
		json.append('"');
	}

}
