package io.prefork.sample;

import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A new worker serves its warm-up requests to itself, through its own Tomcat and
 * application, until its JIT compilers are quiet, before the master hears it is ready; a
 * failing or slow warm-up is logged and the worker becomes ready anyway. One worker per
 * server, to keep the JVM count small.
 */
class WarmupIT {

	private static final JsonMapper json = JsonMapper.builder().build();

	private static final Pattern WARMED_UP = Pattern.compile("worker 0 warm-up: 30 requests to 3 paths and (\\d+) "
			+ "more until the JIT compilers were quiet, in \\d+\\.\\d s, 0 failed\n");

	private static final Pattern STATUS_PORT = Pattern
		.compile("Prefork status listener on http://127\\.0\\.0\\.1:(\\d+)/");

	@Test
	void aNewWorkerAndItsReplacementWarmUpThroughTheirOwnStackBeforeTheyAreReady() throws Exception {
		try (PreforkServer server = PreforkServer.start("--server.prefork.workers=1",
				"--server.prefork.worker.warmup.paths=/hello,/cpu?ms=1,/count",
				"--server.prefork.worker.warmup.requests=30", "--server.prefork.worker.warmup.concurrency=2")) {
			server.awaitWorkersReady(1);
			String output = server.output();
			Matcher warmedUp = WARMED_UP.matcher(output);
			assertThat(warmedUp.find()).as("the worker's warm-up line in:%n%s", output).isTrue();
			assertThat(output.indexOf(" ready in ")).as("the master's ready line").isGreaterThan(warmedUp.start());
			assertThat(output.indexOf(", warming up")).as("the master saw it warming").isNotNegative()
				.isLessThan(output.indexOf(" ready in "));
			// /count got every third warm-up request (the 3rd, 6th, ...), in this very JVM.
			int sent = 30 + Integer.parseInt(warmedUp.group(1));
			assertThat(RawHttp.getOnce(server.port(), "/count").body()).contains("\"count\":" + (sent / 3 + 1));
			JsonNode pool = json.readTree(RawHttp.getOnce(server.port(), "/actuator/prefork").body());
			assertThat(pool.get("requestsServed").asLong()).as("warm-up requests are not the pool's").isLessThan(30);
			Set<Long> first = server.workerPids();
			kill(first.iterator().next());
			server.awaitWorkersReady(2);
			output = server.output();
			Matcher warmedUpAgain = WARMED_UP.matcher(output);
			assertThat(warmedUpAgain.find(warmedUp.end())).as("the replacement's warm-up line in:%n%s", output).isTrue();
			assertThat(output.indexOf(" ready in ", output.indexOf(" ready in ") + 1))
				.isGreaterThan(warmedUpAgain.start());
			int sentAgain = 30 + Integer.parseInt(warmedUpAgain.group(1));
			assertThat(RawHttp.getOnce(server.port(), "/count").body()).contains("\"count\":" + (sentAgain / 3 + 1));
		}
	}

	@Test
	void aFailingOrSlowWarmUpIsLoggedAndTheWorkerBecomesReadyWhenItsTimeIsUp() throws Exception {
		try (PreforkServer server = PreforkServer.start("--server.prefork.workers=1",
				"--server.prefork.status.enabled=true",
				"--server.prefork.worker.warmup.paths=/nonexistent,/sleep?ms=15000",
				"--server.prefork.worker.warmup.requests=4", "--server.prefork.worker.warmup.concurrency=2",
				"--server.prefork.worker.warmup.timeout=3s")) {
			int statusPort = statusPort(server);
			server.awaitTrue("the worker warming (master status listener)", PreforkServer.STARTUP,
					() -> RawHttp.getOnceQuietly(statusPort, "/").contains("\"state\":\"warming\""));
			server.awaitWorkersReady(1);
			String output = server.output();
			int warmedUp = output.indexOf("worker 0 warm-up: 2 of 4 requests to 2 paths in ");
			assertThat(warmedUp).as("the worker's warm-up line").isNotNegative();
			String line = output.substring(warmedUp, output.indexOf('\n', warmedUp));
			assertThat(line).contains("2 failed (first: GET /nonexistent answered 404)")
				.contains("cut short by server.prefork.worker.warmup.timeout (3000 ms), ready anyway");
			assertThat(output.indexOf(" ready in ")).isGreaterThan(warmedUp);
			assertThat(RawHttp.getOnce(server.port(), "/hello").status()).isEqualTo(200);
			server.awaitTrue("the worker serving (master status listener)", PreforkServer.STARTUP,
					() -> RawHttp.getOnceQuietly(statusPort, "/").contains("\"state\":\"idle\""));
		}
	}

	private static int statusPort(PreforkServer server) {
		Matcher[] port = new Matcher[1];
		server.awaitTrue("the status listener's port", PreforkServer.STARTUP, () -> {
			port[0] = STATUS_PORT.matcher(server.output());
			return port[0].find();
		});
		return Integer.parseInt(port[0].group(1));
	}

	private static void kill(long pid) throws IOException, InterruptedException {
		Process kill = new ProcessBuilder("kill", "-KILL", Long.toString(pid)).inheritIO().start();
		assertThat(kill.waitFor()).as("kill -KILL " + pid).isZero();
	}

}
