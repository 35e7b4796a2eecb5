package io.prefork.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Starting and stopping the real master: no worker ever outlives it.
 */
class PreforkLifecycleIT {

	@ParameterizedTest(name = "dispatch {0}")
	@ValueSource(strings = { "pass-fd", "accept-on-command", "shared-accept" })
	void sigtermStopsTheWorkersAndExitsWithZero(String dispatch) throws Exception {
		try (PreforkServer server = PreforkServer.start("--server.prefork.dispatch=" + dispatch)) {
			server.awaitWorkersReady(2);
			List<ProcessHandle> workers = workers(server);
			server.process().destroy();
			assertThat(server.process().waitFor(90, TimeUnit.SECONDS)).as("master exited").isTrue();
			assertThat(server.process().exitValue()).isZero();
			assertThat(workers).noneMatch(ProcessHandle::isAlive);
			assertThat(server.output()).contains("SIGTERM: stopping").contains("All workers stopped");
		}
	}

	@ParameterizedTest(name = "dispatch {0}")
	@ValueSource(strings = { "pass-fd", "accept-on-command", "shared-accept" })
	void killingTheMasterTakesTheWorkersWithItWithinFiveSeconds(String dispatch) throws Exception {
		try (PreforkServer server = PreforkServer.start("--server.prefork.dispatch=" + dispatch)) {
			server.awaitWorkersReady(2);
			List<ProcessHandle> workers = workers(server);
			Path scoreboard = mappedScoreboard(workers.get(0).pid());
			server.process().destroyForcibly();
			assertThat(server.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
			server.awaitTrue("exit of every worker after the master's", Duration.ofSeconds(5),
					() -> workers.stream().noneMatch(ProcessHandle::isAlive));
			assertThat(server.output()).contains("Prefork master is gone");
			assertThat(scoreboard).as("the killed master's scoreboard, removed by its workers").doesNotExist();
			assertThat(scoreboard.getParent()).doesNotExist();
		}
	}

	@Test
	void withPreforkDisabledTheSameJarIsAPlainTomcat() throws Exception {
		try (PreforkServer server = PreforkServer.start("--server.prefork.enabled=false")) {
			RawHttp.Response response = RawHttp.getOnce(server.port(), "/hello");
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.pid()).isEqualTo(server.pid());
			assertThat(response.body()).contains("\"slot\":-1");
			assertThat(server.workerPids()).isEmpty();
		}
	}

	// A worker maps the scoreboard, so its memory map names the file.
	private static Path mappedScoreboard(long workerPid) throws IOException {
		for (String line : Files.readAllLines(Path.of("/proc/" + workerPid + "/maps"))) {
			if (line.endsWith("/scoreboard")) {
				return Path.of(line.substring(line.indexOf('/')));
			}
		}
		throw new AssertionError("Worker " + workerPid + " maps no scoreboard");
	}

	private static List<ProcessHandle> workers(PreforkServer server) {
		List<ProcessHandle> workers = server.workerPids().stream()
			.map((pid) -> ProcessHandle.of(pid).orElseThrow())
			.toList();
		assertThat(workers).hasSize(2);
		return workers;
	}

}
