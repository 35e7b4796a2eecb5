package io.prefork.sample;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A separate {@code management.server.port}: the master listens on it and passes its
 * connections to the workers' management servers, which keep answering while the
 * application's port is saturated.
 */
class ManagementPortIT {

	private static final Pattern MANAGEMENT_PORT = Pattern.compile("management port 127\\.0\\.0\\.1:(\\d+)");

	private static final Pattern PID = Pattern.compile("\"pid\":(\\d+)");

	@ParameterizedTest(name = "dispatch {0}")
	@ValueSource(strings = { "pass-fd", "accept-on-command", "shared-accept" })
	void workersServeTheActuatorOnARandomManagementPortAndNotOnTheApplicationsPort(String dispatch)
			throws Exception {
		try (PreforkServer server = PreforkServer.start("--server.prefork.dispatch=" + dispatch,
				"--management.server.port=0", "--management.server.address=127.0.0.1")) {
			server.awaitWorkersReady(2);
			int managementPort = managementPort(server);
			assertThat(managementPort).isNotEqualTo(server.port());
			RawHttp.Response health = RawHttp.getOnce(managementPort, "/actuator/health");
			assertThat(health.status()).isEqualTo(200);
			assertThat(health.body()).contains("\"prefork\":{\"status\":\"UP\"}");
			RawHttp.Response prefork = RawHttp.getOnce(managementPort, "/actuator/prefork");
			assertThat(prefork.status()).isEqualTo(200);
			assertThat(pids(prefork.body())).containsExactlyInAnyOrderElementsOf(server.workerPids());
			assertThat(RawHttp.getOnce(server.port(), "/actuator/health").status()).isEqualTo(404);
			assertThat(RawHttp.getOnce(server.port(), "/hello").status()).isEqualTo(200);
			// What local.management.port and the WebServerInitializedEvent report in each worker.
			assertThat(server.countInOutput("Tomcat started on port " + managementPort + " ")).isEqualTo(2);
		}
	}

	@Test
	void probesAnswerWhileTheApplicationsPortIsSaturatedAndSigtermLeavesNoProcess() throws Exception {
		int managementPort = freePort();
		try (PreforkServer server = PreforkServer.start("--server.prefork.workers=1",
				"--server.prefork.worker.threads=1", "--server.prefork.worker.max-connections=1",
				"--server.prefork.overload.policy=backpressure", "--management.server.port=" + managementPort)) {
			server.awaitWorkersReady(1);
			Set<Long> workers = server.workerPids();
			CompletableFuture<RawHttp.Response> occupier = request(server.port(), "/sleep?ms=8000");
			server.awaitTrue("the only worker to hold its one connection", Duration.ofSeconds(30),
					() -> prefork(managementPort).contains("\"busy\":1"));
			CompletableFuture<RawHttp.Response> waiting = request(server.port(), "/hello");
			server.awaitTrue("a connection to wait in the master's queue", Duration.ofSeconds(30),
					() -> prefork(managementPort).contains("\"queueLength\":1"));

			long started = System.nanoTime();
			RawHttp.Response probe = RawHttp.getOnce(managementPort, "/actuator/health");
			long probeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
			System.out.printf("health probe on the management port answered %d in %d ms while saturated%n",
					probe.status(), probeMillis);
			assertThat(probe.status()).isEqualTo(200);
			assertThat(probeMillis).as("probe time while the application's port is saturated").isLessThan(3000);
			assertThat(waiting).as("the queued request is still waiting").isNotDone();

			assertThat(occupier.get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
			assertThat(waiting.get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
			server.signal("TERM");
			assertThat(server.process().waitFor(60, TimeUnit.SECONDS)).as("master exited").isTrue();
			assertThat(server.process().exitValue()).isZero();
			for (long pid : workers) {
				assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).as("worker %d alive", pid)
					.isNotEqualTo(Optional.of(true));
			}
		}
	}

	@Test
	void aWorkerThatDoesNotTakeAManagementConnectionIsKilledAndTheProbeGoesToAnother() throws Exception {
		try (PreforkServer server = PreforkServer.start("--server.prefork.timeouts.handoff=2s",
				"--management.server.port=0", "--management.server.address=127.0.0.1")) {
			server.awaitWorkersReady(2);
			int managementPort = managementPort(server);
			long frozen = server.workerPids().iterator().next();
			assertThat(signal("STOP", frozen)).as("kill -STOP %d", frozen).isTrue();
			// Workers take turns, so one of two probes goes to the frozen worker.
			for (int i = 0; i < 2; i++) {
				long started = System.nanoTime();
				RawHttp.Response probe = RawHttp.getOnce(managementPort, "/actuator/health");
				long probeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
				System.out.printf("probe %d answered %d in %d ms%n", i, probe.status(), probeMillis);
				assertThat(probe.status()).isEqualTo(200);
				assertThat(probeMillis).isLessThan(15_000);
			}
			assertThat(server.output()).containsPattern("pid " + frozen
					+ ": no reply about management connection \\d+ within 2 s \\(server.prefork.timeouts.handoff\\), killing it");
			server.awaitTrue("the frozen worker to be gone", Duration.ofSeconds(30),
					() -> ProcessHandle.of(frozen).map((handle) -> !handle.isAlive()).orElse(true));
		}
	}

	@Test
	void aWorkerWhoseManagementServerHasStoppedHandsProbesBackWhileAnotherDrains() throws Exception {
		try (PreforkServer server = PreforkServer.start("--management.server.port=0",
				"--management.server.address=127.0.0.1", "--management.endpoint.health.probes.enabled=true",
				"--sample.close-delay=6s")) {
			server.awaitWorkersReady(2);
			int managementPort = managementPort(server);
			CompletableFuture<RawHttp.Response> draining = request(server.port(), "/sleep?ms=10000");
			server.awaitTrue("one worker busy", Duration.ofSeconds(30),
					() -> prefork(managementPort).contains("\"busy\":1"));
			server.signal("TERM");
			// The idle worker has drained and stopped its servers, but its JVM is still closing.
			server.awaitTrue("the idle worker closing after its servers stopped", Duration.ofSeconds(30),
					() -> server.output().contains("closing for 6000 ms (sample.close-delay)"));
			// The two stopping workers take turns, so without the hand-back every other probe
			// would reach the closing one and end unanswered.
			for (int i = 0; i < 6; i++) {
				RawHttp.Response liveness = RawHttp.getOnce(managementPort, "/actuator/health/liveness");
				assertThat(liveness.status()).as("liveness probe %d while one worker closes and one drains", i)
					.isEqualTo(200);
			}
			assertThat(draining.get(60, TimeUnit.SECONDS).status()).as("the request in flight at SIGTERM")
				.isEqualTo(200);
			assertThat(server.process().waitFor(60, TimeUnit.SECONDS)).as("master exited").isTrue();
			assertThat(server.process().exitValue()).isZero();
		}
	}

	@Test
	void aManagementPortInUseStopsTheMasterWithAClearMessageBeforeAnyWorkerStarts() throws Exception {
		try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
				PreforkServer server = PreforkServer.startWithoutWaiting(
						"--management.server.port=" + taken.getLocalPort(), "--management.server.address=127.0.0.1")) {
			assertThat(server.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
			assertThat(server.process().exitValue()).isEqualTo(1);
			assertThat(server.output()).contains("APPLICATION FAILED TO START")
				.contains("failed to listen on the management port 127.0.0.1:" + taken.getLocalPort())
				.contains("'management.server.port'")
				.doesNotContain("Spawned worker");
		}
	}

	private static boolean signal(String name, long pid) {
		try {
			return new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start().waitFor() == 0;
		}
		catch (IOException ex) {
			throw new AssertionError("kill -" + name + " " + pid + " failed", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError("Interrupted", ex);
		}
	}

	private static int managementPort(PreforkServer server) {
		Matcher matcher = MANAGEMENT_PORT.matcher(server.output());
		assertThat(matcher.find()).as("the master logs its management port").isTrue();
		return Integer.parseInt(matcher.group(1));
	}

	private static Set<Long> pids(String json) {
		Matcher matcher = PID.matcher(json);
		Set<Long> pids = new HashSet<>();
		while (matcher.find()) {
			pids.add(Long.parseLong(matcher.group(1)));
		}
		return pids;
	}

	private static String prefork(int managementPort) {
		try {
			return RawHttp.getOnce(managementPort, "/actuator/prefork").body();
		}
		catch (IOException ex) {
			throw new AssertionError("The management port did not answer", ex);
		}
	}

	/** Sends the request at once; the future completes with its response. */
	private static CompletableFuture<RawHttp.Response> request(int port, String path) throws IOException {
		RawHttp client = new RawHttp(port);
		client.send(path, true);
		return CompletableFuture.supplyAsync(() -> {
			try (client) {
				return client.read();
			}
			catch (IOException ex) {
				throw new AssertionError(path + " failed", ex);
			}
		});
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

}
