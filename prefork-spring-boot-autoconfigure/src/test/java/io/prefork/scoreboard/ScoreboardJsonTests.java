package io.prefork.scoreboard;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.skyscreamer.jsonassert.JSONAssert;
import org.skyscreamer.jsonassert.JSONCompareMode;

import static org.assertj.core.api.Assertions.assertThat;

class ScoreboardJsonTests {

	private static final long STARTED = 1_700_000_000_000L;

	@Test
	void writesTheWholeSnapshot() throws Exception {
		Map<PoolCounter, Long> counters = new EnumMap<>(PoolCounter.class);
		counters.put(PoolCounter.ACCEPTED, 12L);
		counters.put(PoolCounter.REJECTED_QUEUE_TIMEOUT, 3L);
		ScoreboardSnapshot snapshot = new ScoreboardSnapshot(STARTED, "pass-fd", counters,
				List.of(row(0, "GET /sleep", STARTED + 5_000), row(1, null, 0)));
		String json = ScoreboardJson.write(snapshot, STARTED + 6_234);
		StringBuilder expectedCounters = new StringBuilder();
		for (PoolCounter counter : PoolCounter.values()) {
			expectedCounters.append(expectedCounters.isEmpty() ? "" : ",")
				.append('"')
				.append(counter.name().toLowerCase().replace('_', '-'))
				.append("\":")
				.append(counters.getOrDefault(counter, 0L));
		}
		String expected = "{\"startedAt\":\"2023-11-14T22:13:20Z\",\"dispatch\":\"pass-fd\",\"counters\":{"
				+ expectedCounters + "},\"workers\":["
				+ "{\"row\":0,\"slot\":0,\"pid\":100,\"generation\":2,\"state\":\"busy\","
				+ "\"startedAt\":\"2023-11-14T22:13:21Z\",\"rssBytes\":1048576,\"openConnections\":1,"
				+ "\"connectionsHandedOver\":5,\"requestsServed\":7,\"busyThreads\":1,"
				+ "\"lastHeartbeat\":\"2023-11-14T22:13:26.001Z\",\"currentRequest\":\"GET /sleep\","
				+ "\"currentRequestMillis\":1234},"
				+ "{\"row\":1,\"slot\":1,\"pid\":101,\"generation\":2,\"state\":\"busy\","
				+ "\"startedAt\":\"2023-11-14T22:13:21Z\",\"rssBytes\":1048576,\"openConnections\":1,"
				+ "\"connectionsHandedOver\":5,\"requestsServed\":7,\"busyThreads\":1,"
				+ "\"lastHeartbeat\":\"2023-11-14T22:13:26.001Z\",\"currentRequest\":null,"
				+ "\"currentRequestMillis\":null}]}";
		assertThat(json).isEqualTo(expected);
		JSONAssert.assertEquals(expected, json, JSONCompareMode.STRICT);
		JSONObject parsed = new JSONObject(json);
		assertThat(parsed.getJSONObject("counters").getLong("rejected-queue-timeout")).isEqualTo(3);
		assertThat(parsed.getJSONObject("counters").getLong("consecutive-boot-failures")).isZero();
		assertThat(parsed.getJSONArray("workers").getJSONObject(0).getLong("currentRequestMillis")).isEqualTo(1234);
	}

	@Test
	void escapesQuotesBackslashesAndControlCharacters() throws Exception {
		String request = "GET /a\"b\\c\nd\te\u0001f\u001f\u00e9\uD83D\uDE00";
		ScoreboardSnapshot snapshot = new ScoreboardSnapshot(STARTED, "pass-fd", Map.of(),
				List.of(row(0, request, STARTED)));
		String json = ScoreboardJson.write(snapshot, STARTED);
		assertThat(json).contains("\"currentRequest\":\"GET /a\\\"b\\\\c\\nd\\te\\u0001f\\u001f\u00e9\uD83D\uDE00\"");
		assertThat(new JSONObject(json).getJSONArray("workers").getJSONObject(0).getString("currentRequest"))
			.isEqualTo(request);
	}

	@Test
	void writesNullForTimesNotYetRecorded() throws Exception {
		ScoreboardSnapshot snapshot = new ScoreboardSnapshot(0, null, Map.of(), List.of());
		JSONObject parsed = new JSONObject(ScoreboardJson.write(snapshot, STARTED));
		assertThat(parsed.isNull("startedAt")).isTrue();
		assertThat(parsed.isNull("dispatch")).isTrue();
		assertThat(parsed.getJSONArray("workers").length()).isZero();
	}

	private static ScoreboardSnapshot.Row row(int row, String request, long requestStartedAt) {
		return new ScoreboardSnapshot.Row(row, row, 100 + row, 2, "busy", STARTED + 1_000, 1_048_576, 1, 5, 7, 1,
				STARTED + 6_001, request, requestStartedAt);
	}

}
