package io.prefork.sample;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pool seen through Spring Boot's actuator, Micrometer and the master's own status
 * listener, all read from the shared scoreboard.
 */
class ObservabilityIT {

	private static final JsonMapper json = JsonMapper.builder().build();

	@Test
	void theEndpointShowsEveryWorkerItsStateAndItsCurrentRequest() throws Exception {
		try (PreforkServer server = PreforkServer.start()) {
			server.awaitWorkersReady(2);
			JsonNode pool = prefork(server);
			assertThat(pool.get("dispatch").asString()).isEqualTo("pass-fd");
			Set<Long> pids = new HashSet<>();
			pool.get("workers").forEach((worker) -> pids.add(worker.get("pid").asLong()));
			assertThat(pids).isEqualTo(server.workerPids());
			ExecutorService client = Executors.newSingleThreadExecutor();
			CompletableFuture<RawHttp.Response> sleeping = CompletableFuture
				.supplyAsync(() -> get(server, "/sleep?ms=4000"), client);
			JsonNode[] busy = new JsonNode[1];
			server.awaitTrue("a busy worker running GET /sleep", Duration.ofSeconds(30), () -> {
				for (JsonNode worker : prefork(server).get("workers")) {
					JsonNode current = worker.get("currentRequest");
					if ("busy".equals(worker.get("state").asString()) && current != null && !current.isNull()
							&& current.get("request").asString().equals("GET /sleep")) {
						busy[0] = worker;
						return true;
					}
				}
				return false;
			});
			assertThat(busy[0].get("busyThreads").asInt()).isEqualTo(1);
			assertThat(sleeping.get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
			client.shutdown();
			JsonNode health = json.readTree(get(server, "/actuator/health").body());
			assertThat(health.at("/components/prefork/status").asString()).isEqualTo("UP");
		}
	}

	@Test
	void exitsAreCountedByReasonAndCountersNeverGoBackwards() throws Exception {
		try (PreforkServer server = PreforkServer.start("--server.prefork.worker.max-requests=30")) {
			server.awaitWorkersReady(2);
			assertThat(RawHttp.getOnce(server.port(), "/hello").status()).isEqualTo(200);
			try (RawHttp http = new RawHttp(server.port())) {
				http.send("/crash", true);
				http.readsEndOfStream();
			}
			List<Long> accepted = new ArrayList<>();
			List<Long> requests = new ArrayList<>();
			server.awaitTrue("a crash and two recycled workers counted", PreforkServer.STARTUP, () -> {
				String scrape = get(server, "/actuator/prometheus").body();
				accepted.add(value(scrape, "prefork_connections_accepted_connections_total"));
				requests.add(value(scrape, "prefork_requests_total"));
				return value(scrape, "prefork_workers_exited_workers_total\\{reason=\"crash\"}") == 1
						&& value(scrape, "prefork_workers_exited_workers_total\\{reason=\"recycled\"}") >= 2;
			});
			assertThat(accepted).isSorted();
			assertThat(requests).isSorted();
			assertThat(requests.get(requests.size() - 1)).isGreaterThan(30);
			System.out.printf("metrics: %d scrapes across a crash and 2 recyclings, accepted %d -> %d, requests %d -> %d,"
					+ " never decreasing%n", accepted.size(), accepted.get(0), accepted.get(accepted.size() - 1),
					requests.get(0), requests.get(requests.size() - 1));
		}
	}

	@Test
	void theMastersStatusListenerAnswersWhileEveryWorkerHangs() throws Exception {
		try (PreforkServer server = PreforkServer.start("--server.prefork.status.enabled=true",
				"--server.prefork.worker.threads=1", "--server.prefork.worker.max-connections=1",
				"--server.prefork.overload.policy=reject", "--server.prefork.overload.queue-size=0")) {
			server.awaitWorkersReady(2);
			Matcher port = Pattern.compile("Prefork status listener on http://127\\.0\\.0\\.1:(\\d+)/")
				.matcher(server.output());
			assertThat(port.find()).isTrue();
			int statusPort = Integer.parseInt(port.group(1));
			List<RawHttp> hangs = new ArrayList<>();
			for (int i = 0; i < 2; i++) {
				RawHttp hang = new RawHttp(server.port());
				hang.send("/hang", true);
				hangs.add(hang);
			}
			server.awaitTrue("both workers hanging, seen by the master", Duration.ofSeconds(30), () -> {
				JsonNode status = readJson(statusPort, "/");
				int hanging = 0;
				for (JsonNode worker : status.get("workers")) {
					if ("GET /hang".equals(worker.get("currentRequest").asString())) {
						hanging++;
					}
				}
				return hanging == 2;
			});
			assertThat(RawHttp.getOnce(server.port(), "/hello").status()).as("the pool itself is stuck").isEqualTo(503);
			JsonNode status = readJson(statusPort, "/");
			assertThat(status.at("/counters/rejected-overload").asLong()).isGreaterThanOrEqualTo(1);
			for (RawHttp hang : hangs) {
				hang.close();
			}
		}
	}

	private static JsonNode prefork(PreforkServer server) {
		return json.readTree(get(server, "/actuator/prefork").body());
	}

	private static JsonNode readJson(int port, String path) {
		try {
			return json.readTree(RawHttp.getOnce(port, path).body());
		}
		catch (IOException ex) {
			throw new AssertionError(ex);
		}
	}

	private static RawHttp.Response get(PreforkServer server, String path) {
		try {
			RawHttp.Response response = RawHttp.getOnce(server.port(), path);
			assertThat(response.status()).as("GET %s", path).isEqualTo(200);
			return response;
		}
		catch (IOException ex) {
			throw new AssertionError(ex);
		}
	}

	private static long value(String scrape, String meter) {
		Matcher matcher = Pattern.compile("(?m)^" + meter + "(?:\\{[^}]*})? ([0-9.E+]+)$").matcher(scrape);
		return matcher.find() ? (long) Double.parseDouble(matcher.group(1)) : -1;
	}

}
