package io.prefork.sample;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The master keeps the right number of healthy workers: it stops what hangs, recycles what
 * leaks or has served enough, replaces what crashes, resizes, restarts without dropping a
 * request, and gives up on an application that cannot start.
 */
class SupervisionIT {

	@Test
	void aWorkerOverItsMemoryLimitIsRecycledGracefully() throws Exception {
		try (PreforkServer server = PreforkServer.start("--server.prefork.workers=1",
				"--server.prefork.worker.max-rss=320MB",
				"--server.prefork.worker.jvm-options=-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xmx400m")) {
			server.awaitWorkersReady(1);
			long leaker = RawHttp.getOnce(server.port(), "/hello").pid();
			for (int i = 0; i < 5; i++) {
				assertThat(RawHttp.getOnce(server.port(), "/leak?mb=50").status()).isEqualTo(200);
			}
			List<Integer> statuses = new ArrayList<>();
			server.awaitTrue("the leaking worker recycled", PreforkServer.STARTUP, () -> {
				statuses.add(status(server, "/hello"));
				return server.output().contains("pid " + leaker + " exited") && server.output().contains("(rss)");
			});
			assertThat(server.output()).containsPattern("pid " + leaker + " will be recycled: RSS \\d+ MB > max-rss 320 MB");
			assertThat(statuses).as("answers while the worker was replaced").containsOnly(200);
			assertThat(RawHttp.getOnce(server.port(), "/hello").pid()).isNotEqualTo(leaker);
		}
	}

	@Test
	void maxRequestsRecyclesWorkersWithoutAFailedRequest() throws Exception {
		try (PreforkServer server = PreforkServer.start("--server.prefork.worker.max-requests=25")) {
			server.awaitWorkersReady(2);
			Set<Long> original = server.workerPids();
			List<Integer> statuses = new ArrayList<>();
			server.awaitTrue("both original workers recycled", PreforkServer.STARTUP, () -> {
				statuses.add(status(server, "/hello"));
				return server.countInOutput("connections (recycled)") >= 2;
			});
			assertThat(statuses).containsOnly(200);
			assertThat(server.output()).contains("will be recycled: served");
			assertThat(server.workerPids()).doesNotContainAnyElementsOf(original);
			System.out.printf("max-requests: %d requests, all 200, while both workers were recycled%n",
					statuses.size());
		}
	}

	@Test
	void aDynamicPoolGrowsUnderLoadAndShrinksWhenIdle() throws Exception {
		try (PreforkServer server = PreforkServer.start("--server.prefork.pool.mode=dynamic",
				"--server.prefork.workers=1", "--server.prefork.pool.min-spare=1", "--server.prefork.pool.max-spare=1",
				"--server.prefork.pool.max-workers=3", "--server.prefork.pool.idle-timeout=2s",
				"--server.prefork.worker.max-connections=1", "--server.prefork.overload.max-queue-wait=120s")) {
			server.awaitWorkersReady(1);
			List<CompletableFuture<RawHttp.Response>> load = new ArrayList<>();
			AtomicBoolean loading = new AtomicBoolean(true);
			ExecutorService clients = Executors.newFixedThreadPool(3);
			for (int i = 0; i < 3; i++) {
				load.add(CompletableFuture.supplyAsync(() -> sleepUntilStopped(server, loading), clients));
			}
			server.awaitTrue("3 workers under load", PreforkServer.STARTUP, () -> server.workerPids().size() == 3);
			loading.set(false);
			for (CompletableFuture<RawHttp.Response> request : load) {
				assertThat(request.get(60, TimeUnit.SECONDS).status()).isEqualTo(200);
			}
			clients.shutdown();
			server.awaitTrue("the pool back to 1 worker", Duration.ofSeconds(60),
					() -> server.workerPids().size() == 1);
			assertThat(server.output()).contains("(scaled-down)");
		}
	}

	@Test
	void anApplicationThatCannotStartStopsTheMasterWithAnErrorAndNoSpawnLoop() throws Exception {
		try (PreforkServer server = PreforkServer.start("--sample.fail-on-start=true")) {
			assertThat(server.process().waitFor(120, TimeUnit.SECONDS)).as("master exited").isTrue();
			assertThat(server.process().exitValue()).isEqualTo(1);
			assertThat(server.output()).contains("APPLICATION FAILED TO START")
				.containsPattern("No worker could start: \\d workers in a row")
				.contains("sample.fail-on-start=true: this application refuses to start");
			// Two workers start together, fail, are retried once after a back-off, then it stops.
			assertThat(server.countInOutput("Spawned worker")).isBetween(3, 4);
			assertThat(server.workerPids()).isEmpty();
		}
	}

	@Test
	void theApplicationCanAskTheServerToShutDown() throws Exception {
		try (PreforkServer server = PreforkServer.start("--sample.allow-stop=true")) {
			server.awaitWorkersReady(2);
			List<ProcessHandle> workers = server.workerPids().stream()
				.map((pid) -> ProcessHandle.of(pid).orElseThrow())
				.toList();
			try (RawHttp http = new RawHttp(server.port())) {
				http.send("POST", "/server/stop", true);
				assertThat(http.read().status()).isEqualTo(202);
			}
			assertThat(server.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
			assertThat(server.process().exitValue()).isZero();
			assertThat(workers).noneMatch(ProcessHandle::isAlive);
			assertThat(server.output()).contains("(the application) asked to shut down");
		}
	}

	/**
	 * The checks that leave a pool of 2 healthy workers behind share one server, in this
	 * order (the most destructive last); each starts from 2 ready workers and reads only the
	 * log lines written after it began. The master runs under {@code nohup}, as many are
	 * started, which hands it SIGHUP ignored.
	 */
	@Nested
	@TestInstance(TestInstance.Lifecycle.PER_CLASS)
	@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
	class OnOneServer {

		private PreforkServer server;

		@BeforeAll
		void start() throws IOException {
			this.server = PreforkServer.startWrapped(List.of("nohup"), List.of(), "--server.prefork.timeouts.request=2s");
			this.server.awaitWorkersReady(2);
		}

		@AfterAll
		void stop() {
			if (this.server != null) {
				this.server.close();
			}
		}

		@BeforeEach
		void twoWorkersServing() {
			this.server.awaitTrue("2 workers serving", Duration.ofSeconds(60),
					() -> this.server.workerPids().size() == 2 && status(this.server, "/hello") == 200);
		}

		@Test
		@Order(1)
		void aHungRequestIsAnswered504AndItsWorkerReplaced() throws Exception {
			int ready = this.server.countInOutput(" ready in ");
			long started = System.nanoTime();
			RawHttp.Response response = RawHttp.getOnce(this.server.port(), "/hang");
			long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
			assertThat(response.status()).isEqualTo(504);
			assertThat(millis).as("time to the 504 for a 2 s timeout").isBetween(1900L, 6000L);
			System.out.printf("request timeout: /hang answered 504 after %d ms (timeout 2 s)%n", millis);
			this.server.awaitTrue("the hung worker killed", Duration.ofSeconds(30),
					() -> this.server.output().contains("(request-timeout)"));
			this.server.awaitTrue("its replacement ready", PreforkServer.STARTUP,
					() -> this.server.countInOutput(" ready in ") > ready);
			this.server.awaitTrue("2 workers again", Duration.ofSeconds(30),
					() -> this.server.workerPids().size() == 2);
			assertThat(RawHttp.getOnce(this.server.port(), "/hello").status()).isEqualTo(200);
		}

		@Test
		@Order(2)
		void ttinAndTtouResizeAStaticPool() throws Exception {
			int ready = this.server.countInOutput(" ready in ");
			int scaledDown = this.server.countInOutput("(scaled-down)");
			this.server.signal("TTIN");
			this.server.awaitTrue("a third worker ready", PreforkServer.STARTUP,
					() -> this.server.countInOutput(" ready in ") > ready);
			assertThat(this.server.workerPids()).hasSize(3);
			this.server.signal("TTOU");
			this.server.awaitTrue("one worker retired", Duration.ofSeconds(60),
					() -> this.server.countInOutput("(scaled-down)") > scaledDown
							&& this.server.workerPids().size() == 2);
		}

		@Test
		@Order(3)
		void sighupReplacesEveryWorkerWithoutAFailedRequestOnNewOrKeptAliveConnections() throws Exception {
			Set<Long> original = this.server.workerPids();
			int recycled = this.server.countInOutput("connections (recycled)");
			ConcurrentLinkedQueue<Integer> statuses = new ConcurrentLinkedQueue<>();
			AtomicBoolean running = new AtomicBoolean(true);
			ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
			List<CompletableFuture<Void>> traffic = new ArrayList<>();
			ExecutorService clients = Executors.newFixedThreadPool(4);
			traffic.add(CompletableFuture.runAsync(() -> {
				while (running.get()) {
					statuses.add(status(this.server, "/sleep?ms=20"));
				}
			}, clients));
			for (int i = 0; i < 3; i++) {
				traffic.add(CompletableFuture.runAsync(() -> keepAlive(this.server, running, statuses, failures), clients));
			}
			this.server.signal("HUP");
			this.server.awaitTrue("both workers replaced", PreforkServer.STARTUP,
					() -> this.server.countInOutput("connections (recycled)") >= recycled + 2);
			running.set(false);
			CompletableFuture.allOf(traffic.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
			clients.shutdown();
			assertThat(failures).as("requests on kept-alive connections that failed").isEmpty();
			assertThat(statuses).isNotEmpty().containsOnly(200);
			assertThat(this.server.workerPids()).hasSize(2).doesNotContainAnyElementsOf(original);
			assertThat(this.server.output()).contains("SIGHUP was ignored when the master started (as nohup does); "
					+ "the master handles it: rolling restart");
			System.out.printf("SIGHUP: %d requests during the rolling restart, all 200%n", statuses.size());
		}

		@Test
		@Order(4)
		void killingEveryWorkerAgainAndAgainNeverLeavesThePoolEmptyForGood() throws Exception {
			int outputBefore = this.server.output().length();
			long lastKill = 0;
			int kills = 0;
			for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(12); System.nanoTime() - end < 0;) {
				for (long pid : this.server.workerPids()) {
					ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
					kills++;
				}
				lastKill = System.nanoTime();
				this.server.awaitTrue("a worker starting again", Duration.ofSeconds(30),
						() -> !this.server.workerPids().isEmpty());
				// The scenario's pace (a kill every 2 s, booting workers included), not a wait
				// for an outcome.
				TimeUnit.NANOSECONDS.sleep(lastKill + TimeUnit.SECONDS.toNanos(2) - System.nanoTime());
			}
			long killedAt = lastKill;
			this.server.awaitTrue("a 200 after the last kill", Duration.ofSeconds(30),
					() -> status(this.server, "/hello") == 200);
			System.out.printf("worker kills: %d kills over 12 s; answering again %.1f s after the last%n", kills,
					(System.nanoTime() - killedAt) / 1e9);
			assertThat(this.server.process().isAlive()).isTrue();
			assertThat(this.server.output().substring(outputBefore))
				.contains("(killed), by a signal the master did not send")
				.doesNotContain("(boot-failure)");
		}

	}

	/**
	 * Sends requests back to back on one kept-alive connection, as a load balancer or wrk
	 * does, opening a new one only after the server said it closes it.
	 */
	private static void keepAlive(PreforkServer server, AtomicBoolean running, Queue<Integer> statuses,
			Queue<String> failures) {
		RawHttp http = null;
		while (running.get()) {
			try {
				if (http == null) {
					http = new RawHttp(server.port());
				}
				RawHttp.Response response = http.get("/hello", false);
				statuses.add(response.status());
				if (response.head().toLowerCase(Locale.ROOT).contains("connection: close")) {
					http.close();
					http = null;
				}
			}
			catch (IOException ex) {
				failures.add(ex.toString());
				http = closeQuietly(http);
			}
		}
		closeQuietly(http);
	}

	private static RawHttp closeQuietly(RawHttp http) {
		try {
			if (http != null) {
				http.close();
			}
		}
		catch (IOException ex) {
			// Closed anyway.
		}
		return null;
	}

	private static int status(PreforkServer server, String path) {
		try {
			return RawHttp.getOnce(server.port(), path).status();
		}
		catch (IOException ex) {
			return -1;
		}
	}

	/** Keeps one connection's worker busy with back-to-back sleeps until told to stop. */
	private static RawHttp.Response sleepUntilStopped(PreforkServer server, AtomicBoolean loading) {
		try {
			RawHttp.Response last;
			do {
				last = RawHttp.getOnce(server.port(), "/sleep?ms=500");
			}
			while (loading.get() && last.status() == 200);
			return last;
		}
		catch (IOException ex) {
			throw new AssertionError("A request under load failed", ex);
		}
	}

}
