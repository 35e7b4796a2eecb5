package io.prefork.sample;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A worker's death costs its own requests and nothing more: what it had read and not
 * answered gets a 502 from the master, what it had not read goes to another worker, its
 * idle connections end cleanly, and clients never see a reset the master could have
 * answered. One server for all, each test killing one worker and waiting for its successor.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkerLossIT {

	private static final Pattern WORKER = Pattern.compile("\"pid\":(\\d+),[^{}]*?\"busyThreads\":(\\d+)");

	private PreforkServer server;

	private int workersEverReady;

	@BeforeAll
	void start() throws IOException {
		this.server = PreforkServer.start("--server.prefork.timeouts.handoff=2s");
		this.workersEverReady = 2;
		this.server.awaitWorkersReady(this.workersEverReady);
	}

	@AfterAll
	void stop() {
		if (this.server != null) {
			this.server.close();
		}
	}

	@BeforeEach
	void fullPool() {
		this.server.awaitWorkersReady(this.workersEverReady);
		this.server.awaitTrue("2 workers", PreforkServer.STARTUP, () -> this.server.workerPids().size() == 2);
	}

	@Test
	void requestsInFlightOnAKilledWorkerAreAnswered502AndNoClientSeesAReset() throws Exception {
		ExecutorService clients = Executors.newFixedThreadPool(10);
		try {
			List<Future<Object>> requests = new ArrayList<>();
			for (int i = 0; i < 10; i++) {
				requests.add(clients.submit(() -> statusOrFailure("/sleep?ms=4000")));
			}
			long[] victim = new long[2];
			this.server.awaitTrue("all 10 requests running", Duration.ofSeconds(60), () -> {
				long running = 0;
				Matcher worker = WORKER.matcher(RawHttp.getOnceQuietly(this.server.port(), "/actuator/prefork"));
				while (worker.find()) {
					long busy = Long.parseLong(worker.group(2));
					running += busy;
					if (busy > victim[1]) {
						victim[0] = Long.parseLong(worker.group(1));
						victim[1] = busy;
					}
				}
				// The probe itself is a running request too.
				return running >= 11;
			});
			kill(victim[0]);
			List<Object> outcomes = new ArrayList<>();
			for (Future<Object> request : requests) {
				outcomes.add(request.get(60, TimeUnit.SECONDS));
			}
			System.out.printf("worker loss: killed pid %d running %d requests; the 10 clients got %s%n", victim[0],
					victim[1], outcomes);
			assertThat(outcomes).as("every client gets an HTTP status").allMatch((outcome) -> outcome instanceof Integer)
				.containsOnly(200, 502)
				.contains(502);
			this.server.awaitTrue("the master's account of the lost worker", Duration.ofSeconds(30),
					() -> this.server.output().contains("answered 502 (request read, not answered)"));
		}
		finally {
			clients.shutdownNow();
		}
	}

	@Test
	void aWorkerThatCrashesInsideARequestIsReplacedAndTheRequestAnswered502() throws Exception {
		RawHttp.Response response = RawHttp.getOnce(this.server.port(), "/crash");
		this.workersEverReady++;
		assertThat(response.status()).isEqualTo(502);
		assertThat(response.head()).containsIgnoringCase("Connection: close");
		assertThat(response.body()).contains("Bad Gateway");
		this.server.awaitTrue("the crash logged", Duration.ofSeconds(30),
				() -> this.server.output().contains("exited with code 70"));
		assertThat(this.server.output()).containsPattern("exited with code 70 after .*\\(crash\\), unexpectedly");
		this.server.awaitWorkersReady(this.workersEverReady);
		assertThat(RawHttp.getOnce(this.server.port(), "/hello").status()).isEqualTo(200);
	}

	@Test
	void anIdleKeepAliveConnectionOfAKilledWorkerEndsCleanly() throws Exception {
		try (RawHttp http = new RawHttp(this.server.port())) {
			long worker = http.get("/hello", false).pid();
			kill(worker);
			assertThat(http.socket().getInputStream().read()).as("EOF, not a reset or an answer").isEqualTo(-1);
		}
	}

	@Test
	void aRequestItsWorkerNeverReadIsAnswered503() throws Exception {
		try (RawHttp http = new RawHttp(this.server.port())) {
			long worker = http.get("/hello", false).pid();
			signal("STOP", worker);
			http.send("/hello", false);
			kill(worker);
			RawHttp.Response response = http.read();
			assertThat(response.status()).isEqualTo(503);
			assertThat(response.head()).containsIgnoringCase("Retry-After:").containsIgnoringCase("Connection: close");
			assertThat(http.readsEndOfStream()).isTrue();
		}
	}

	@Test
	void aConnectionAFrozenWorkerNeverTookIsServedByAnother() throws Exception {
		long frozen = RawHttp.getOnce(this.server.port(), "/hello").pid();
		signal("STOP", frozen);
		this.workersEverReady++;
		// Connections alternate between idle workers: within two, one goes to the frozen worker,
		// which is killed after the 2 s hand-over timeout; its connection then goes to the other.
		for (int i = 0; i < 2; i++) {
			RawHttp.Response response = RawHttp.getOnce(this.server.port(), "/hello");
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.pid()).isNotEqualTo(frozen);
		}
		this.server.awaitTrue("the frozen worker killed", Duration.ofSeconds(30),
				() -> this.server.output().contains("pid " + frozen + " is gone with 1 connections: 1 unread, to another worker"));
	}

	private Object statusOrFailure(String path) {
		try {
			return RawHttp.getOnce(this.server.port(), path).status();
		}
		catch (IOException ex) {
			return ex.toString();
		}
	}

	private void kill(long pid) throws Exception {
		signal("KILL", pid);
		this.workersEverReady++;
		this.server.awaitTrue("pid " + pid + " reaped", Duration.ofSeconds(30),
				() -> this.server.output().contains("pid " + pid + " killed by signal 9"));
	}

	private static void signal(String name, long pid) throws Exception {
		Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start();
		assertThat(kill.waitFor()).as("kill -%s %d", name, pid).isZero();
	}

}
