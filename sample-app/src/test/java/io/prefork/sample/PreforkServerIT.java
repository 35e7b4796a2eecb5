package io.prefork.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One real master with two real workers serving the sample app on loopback, in every
 * dispatch mode.
 */
@ParameterizedClass(name = "dispatch {0}")
@ValueSource(strings = { "pass-fd", "accept-on-command", "shared-accept" })
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PreforkServerIT {

	private static PreforkServer server;

	@Parameter
	private String dispatch;

	@BeforeParameterizedClassInvocation
	static void start(String dispatch) throws IOException {
		server = PreforkServer.start("--server.prefork.dispatch=" + dispatch);
		server.awaitWorkersReady(2);
	}

	@AfterParameterizedClassInvocation
	static void stop() {
		if (server != null) {
			server.close();
		}
	}

	@Test
	@Order(1)
	void requestsAreServedBySeveralWorkersAndNeverByTheMaster() throws Exception {
		Set<Long> pids = new HashSet<>();
		server.awaitTrue("answers from 2 distinct workers (saw " + pids + ")", Duration.ofSeconds(60), () -> {
			pids.addAll(concurrentSleeps(8));
			return pids.size() >= 2;
		});
		assertThat(pids).doesNotContain(server.pid());
		assertThat(server.workerPids()).containsAll(pids);
	}

	@Test
	@Order(2)
	void theMasterHoldsTheListeningSocketAndWorkersOnlyWhenTheyAccept() throws IOException {
		String socket = "socket:[" + listeningSocketInode(server.port()) + "]";
		assertThat(openSockets(server.pid())).contains(socket);
		boolean workersAccept = !this.dispatch.equals("pass-fd");
		for (long worker : server.workerPids()) {
			assertThat(openSockets(worker).contains(socket)).as("worker pid %d holds the listening socket", worker)
				.isEqualTo(workersAccept);
		}
	}

	@Test
	@Order(3)
	void twoHundredConcurrentRequestsAllSucceed() throws Exception {
		ExecutorService clients = Executors.newFixedThreadPool(200);
		try {
			List<Future<RawHttp.Response>> responses = new ArrayList<>();
			for (int i = 0; i < 200; i++) {
				responses.add(clients.submit(() -> RawHttp.getOnce(server.port(), "/sleep?ms=20")));
			}
			for (Future<RawHttp.Response> response : responses) {
				assertThat(response.get().status()).isEqualTo(200);
			}
		}
		finally {
			clients.shutdownNow();
		}
	}

	@Test
	@Order(4)
	void keepAliveServesSeveralRequestsOnOneConnection() throws IOException {
		try (RawHttp http = new RawHttp(server.port())) {
			Set<Long> pids = new HashSet<>();
			for (int i = 0; i < 5; i++) {
				RawHttp.Response response = http.get("/hello", false);
				assertThat(response.status()).isEqualTo(200);
				pids.add(response.pid());
			}
			assertThat(pids).as("one connection stays with one worker").hasSize(1);
		}
	}

	@Test
	@Order(5)
	void theApplicationSeesTheRealClientAddress() throws IOException {
		try (RawHttp http = new RawHttp(server.port())) {
			String body = http.get("/client", true).body();
			assertThat(body).contains("\"address\":\"127.0.0.1\"")
				.contains("\"port\":" + http.socket().getLocalPort());
		}
	}

	@Test
	@Order(6)
	void aRequestBodyThatComesLaterIsWaitedFor() throws Exception {
		try (RawHttp http = new RawHttp(server.port())) {
			http.write("POST /session HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
					+ "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 10\r\n\r\n");
			// A slow client: the body follows once the worker is serving the head and waits.
			awaitServing("POST /session");
			http.write("value=late");
			RawHttp.Response response = http.read();
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.body()).contains("\"value\":\"late\"");
		}
	}

	@Test
	@Order(7)
	void aLargeDownloadToAClientThatReadsLateArrivesWhole() throws Exception {
		int kb = 32 * 1024;
		try (RawHttp http = new RawHttp(server.port())) {
			http.send("/bytes?kb=" + kb, true);
			// Read only once 32 MB have filled the socket buffers: the worker's writes wait.
			awaitServing("GET /bytes");
			RawHttp.Response response = http.read();
			assertThat(response.status()).isEqualTo(200);
			String body = response.body();
			assertThat(body.length()).as("bytes received").isEqualTo(kb * 1024);
			assertThat(body.chars().allMatch((c) -> c == 'x')).as("only the x the sample writes").isTrue();
		}
	}

	@Test
	@Order(8)
	void aFileTomcatSendsWithSendfileToASlowClientArrivesWhole() throws Exception {
		int kb = 32 * 1024;
		// A small receive buffer: Tomcat's sendfile fills it at once and waits for the
		// client through the poller, which a handed-over socket joins only then.
		try (RawHttp http = new RawHttp(server.port(), 64 * 1024)) {
			RawHttp.Response response = http.get("/sendfile?kb=" + kb, true);
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.header("X-Sendfile")).as("written by Tomcat's sendfile").isEqualTo("true");
			String body = response.body();
			assertThat(body.length()).as("bytes received").isEqualTo(kb * 1024);
			assertThat(body.chars().allMatch((c) -> c == 'x')).as("only the x the sample writes").isTrue();
		}
	}

	private static void awaitServing(String request) {
		server.awaitTrue(request + " in a worker's scoreboard row", Duration.ofSeconds(30),
				() -> RawHttp.getOnceQuietly(server.port(), "/actuator/prefork").contains(request));
	}

	@Test
	@Order(9)
	void aKilledWorkerIsReplacedInItsSlotAndTheNewOneServes() throws Exception {
		Set<Long> before = server.workerPids();
		long victim = before.iterator().next();
		int victimSlot = slotOf(victim);
		ProcessHandle.of(victim).orElseThrow().destroyForcibly();
		Set<Long> seen = new HashSet<>();
		server.awaitTrue("a new worker to answer (old " + before + ", answers " + seen + ")", PreforkServer.STARTUP,
				() -> {
					seen.addAll(concurrentSleeps(4));
					return seen.stream().anyMatch((pid) -> !before.contains(pid));
				});
		assertThat(seen).doesNotContain(victim, server.pid());
		long replacement = seen.stream().filter((pid) -> !before.contains(pid)).findFirst().orElseThrow();
		assertThat(slotOf(replacement)).as("the replacement's slot").isEqualTo(victimSlot);
		assertThat(server.output()).containsPattern("WARN \\[master].*worker \\d pid " + victim
				+ " killed by signal 9 \\(SIGKILL\\) after .*\\(killed\\), by a signal the master did not send; "
				+ "replacing it");
	}

	/** Overlapping slow requests, so that the master spreads them over the workers. */
	private static Set<Long> concurrentSleeps(int count) {
		ExecutorService clients = Executors.newFixedThreadPool(count);
		try {
			List<Callable<RawHttp.Response>> calls = new ArrayList<>();
			for (int i = 0; i < count; i++) {
				calls.add(() -> RawHttp.getOnce(server.port(), "/sleep?ms=50"));
			}
			Set<Long> pids = new HashSet<>();
			for (Future<RawHttp.Response> response : clients.invokeAll(calls)) {
				try {
					pids.add(response.get().pid());
				}
				catch (Exception ex) {
					// A connection cut by a dying worker; the poll tries again.
				}
			}
			return pids;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError(ex);
		}
		finally {
			clients.shutdownNow();
		}
	}

	private static int slotOf(long pid) throws IOException {
		Matcher worker = Pattern.compile("\\{\"slot\":(\\d+),\"pid\":" + pid + ",")
			.matcher(RawHttp.getOnce(server.port(), "/actuator/prefork").body());
		if (!worker.find()) {
			throw new AssertionError("pid " + pid + " is not in /actuator/prefork");
		}
		return Integer.parseInt(worker.group(1));
	}

	private static String listeningSocketInode(int port) throws IOException {
		String localPort = String.format(":%04X", port);
		for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
			for (String line : Files.readAllLines(Path.of(table))) {
				String[] fields = line.trim().split("\\s+");
				if (fields.length > 9 && fields[1].endsWith(localPort) && fields[3].equals("0A")) {
					return fields[9];
				}
			}
		}
		throw new AssertionError("No listening socket on port " + port);
	}

	private static List<String> openSockets(long pid) throws IOException {
		try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
			List<String> targets = new ArrayList<>();
			for (Path fd : fds.toList()) {
				try {
					targets.add(Files.readSymbolicLink(fd).toString());
				}
				catch (IOException ex) {
					// closed while listing
				}
			}
			return targets;
		}
	}

}
