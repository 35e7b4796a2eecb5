package io.prefork.sample;

import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The actuator of a pool answers as one application: a logger level or a cache eviction
 * reaches every worker (and a logger level, workers started later), and one scrape shows
 * every live worker's meters. One server: 2 workers, a third added with SIGTTIN, 4 slots.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PoolActuatorIT {

	private static final JsonMapper json = JsonMapper.builder().build();

	private static final String LOGGER = "/actuator/loggers/io.prefork.sample";

	private PreforkServer server;

	@BeforeAll
	void start() throws IOException {
		this.server = PreforkServer.start("--server.prefork.pool.max-workers=4",
				"--management.endpoints.web.exposure.include=health,prefork,prometheus,metrics,loggers,caches");
		this.server.awaitWorkersReady(2);
	}

	@AfterAll
	void stop() {
		if (this.server != null) {
			this.server.close();
		}
	}

	@Test
	@Order(1)
	void aLoggerLevelSetOnceReachesEveryWorkerAndAWorkerStartedLater() throws Exception {
		RawHttp.Response set;
		try (RawHttp http = new RawHttp(this.server.port())) {
			set = http.request("POST", LOGGER, "{\"configuredLevel\":\"DEBUG\"}");
		}
		assertThat(set.status()).isEqualTo(204);
		assertThat(set.header("X-Prefork-Workers")).isEqualTo("0=204, 1=204");
		assertThat(configuredLevels()).isEqualTo(Map.of(0, "DEBUG", 1, "DEBUG"));
		this.server.signal("TTIN");
		this.server.awaitWorkersReady(3);
		assertThat(configuredLevels()).isEqualTo(Map.of(0, "DEBUG", 1, "DEBUG", 2, "DEBUG"));
	}

	@Test
	@Order(2)
	void aCacheEvictionReachesEveryWorker() throws Exception {
		Map<Integer, String> before = fromEachWorker("/cached?key=k", 3, (body) -> body.get("stamp").asString());
		assertThat(fromEachWorker("/cached?key=k", 3, (body) -> body.get("stamp").asString())).as("cached")
			.isEqualTo(before);
		RawHttp.Response evicted;
		try (RawHttp http = new RawHttp(this.server.port())) {
			http.send("DELETE", "/actuator/caches", false);
			evicted = http.read();
		}
		assertThat(evicted.status()).isEqualTo(204);
		assertThat(evicted.header("X-Prefork-Workers")).isEqualTo("0=204, 1=204, 2=204");
		Map<Integer, String> after = fromEachWorker("/cached?key=k", 3, (body) -> body.get("stamp").asString());
		for (int slot = 0; slot < 3; slot++) {
			assertThat(after.get(slot)).as("stamp cached by worker %d", slot).isNotEqualTo(before.get(slot));
		}
	}

	@Test
	@Order(3)
	void oneScrapeListsEveryLiveWorkersMetersByTheirSlotAndNothingForEmptySlots() throws IOException {
		RawHttp.Response scrape = RawHttp.getOnce(this.server.port(), "/actuator/prometheus");
		assertThat(scrape.status()).isEqualTo(200);
		assertThat(scrape.header("Content-Type")).startsWith("text/plain;version=0.0.4");
		assertThat(scrape.header("X-Prefork-Workers")).isEqualTo("0=200, 1=200, 2=200");
		String body = scrape.body();
		Set<String> slots = new HashSet<>();
		Matcher memory = Pattern.compile("(?m)^jvm_memory_used_bytes\\{worker=\"(\\d+)\",").matcher(body);
		while (memory.find()) {
			slots.add(memory.group(1));
		}
		assertThat(slots).as("slots with jvm_memory_used_bytes").containsExactlyInAnyOrder("0", "1", "2");
		assertThat(body).as("series of the empty slot 3").doesNotContain("worker=\"3\"").doesNotContain("slot=\"3\"");
		List<String> types = body.lines().filter((line) -> line.startsWith("# TYPE ")).toList();
		assertThat(types).as("TYPE lines").doesNotHaveDuplicates();
		assertThat(body).containsPattern("(?m)^prefork_requests_total [0-9.E]+$");
	}

	@Test
	@Order(4)
	void theMetricsEndpointSumsEveryWorkersMeterAndNamesTheWorkersAsATag() throws IOException {
		JsonNode names = json.readTree(RawHttp.getOnce(this.server.port(), "/actuator/metrics").body());
		assertThat(names.get("names").toString()).contains("\"jvm.threads.live\"", "\"prefork.requests\"");
		JsonNode threads = json.readTree(RawHttp.getOnce(this.server.port(), "/actuator/metrics/jvm.threads.live").body());
		JsonNode workerTag = threads.get("availableTags").get(0);
		assertThat(workerTag.get("tag").asString()).isEqualTo("worker");
		assertThat(workerTag.get("values").toString()).isEqualTo("[\"0\",\"1\",\"2\"]");
		double all = threads.get("measurements").get(0).get("value").asDouble();
		JsonNode one = json.readTree(
				RawHttp.getOnce(this.server.port(), "/actuator/metrics/jvm.threads.live?tag=worker:1").body());
		double mine = one.get("measurements").get(0).get("value").asDouble();
		assertThat(mine).isPositive();
		assertThat(all).as("live threads of 3 workers").isGreaterThan(2 * mine);
	}

	private Map<Integer, String> configuredLevels() throws IOException {
		int workers = this.server.workerPids().size();
		return fromEachWorker(LOGGER, workers, (body) -> body.get("configuredLevel").asString());
	}

	/**
	 * Ask every worker, each on a connection of its own, found by asking who answers.
	 */
	private <T> Map<Integer, T> fromEachWorker(String path, int workers,
			Function<JsonNode, T> value) throws IOException {
		Map<Integer, T> bySlot = new TreeMap<>();
		for (int attempt = 0; attempt < 10 * workers && bySlot.size() < workers; attempt++) {
			try (RawHttp http = new RawHttp(this.server.port())) {
				int slot = json.readTree(http.get("/worker", false).body()).get("slot").asInt();
				RawHttp.Response response = http.get(path, true);
				assertThat(response.status()).as("GET %s from worker %d", path, slot).isEqualTo(200);
				bySlot.putIfAbsent(slot, value.apply(json.readTree(response.body())));
			}
		}
		assertThat(bySlot).as("workers that answered GET %s", path).hasSize(workers);
		return bySlot;
	}

}
