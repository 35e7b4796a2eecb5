package io.prefork.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a user sees and gets at start (issue 19), on every JDK the tests run on: the banner
 * once, no JVM warnings (JDK 25 warned eight lines per JVM), and workers whose management
 * server keeps a small thread pool. One server, with a separate management port.
 */
class StartupOutputIT {

	private static final Pattern MANAGEMENT_PORT = Pattern.compile("management port \\S+:(\\d+)");

	/** Threads of a management connector: its request threads, poller and acceptor. */
	private static final String MANAGEMENT_THREAD = "http-prefork-ma";

	private static PreforkServer server;

	@BeforeAll
	static void start() throws IOException {
		server = PreforkServer.start("--management.server.port=0", "--management.server.address=127.0.0.1");
		server.awaitWorkersReady(2);
	}

	@AfterAll
	static void stop() {
		if (server != null) {
			server.close();
		}
	}

	@Test
	void theMasterPrintsTheBannerOnceAndBeforeAnyWorkerStarts() {
		String output = server.output();
		assertThat(server.countInOutput(":: Spring Boot ::")).isEqualTo(1);
		assertThat(output.indexOf(":: Spring Boot ::")).isLessThan(output.indexOf("Spawned worker 0"));
	}

	@Test
	void noJvmPrintsAWarning() {
		assertThat(server.output().lines().filter((line) -> line.startsWith("WARNING:")))
			.as("WARNING lines on JDK %s", Runtime.version())
			.isEmpty();
	}

	@Test
	void aWorkersManagementServerKeepsASmallThreadPool() throws Exception {
		Matcher port = MANAGEMENT_PORT.matcher(server.output());
		assertThat(port.find()).isTrue();
		int managementPort = Integer.parseInt(port.group(1));
		ExecutorService clients = Executors.newFixedThreadPool(16);
		try {
			List<Future<Integer>> probes = new ArrayList<>();
			for (int i = 0; i < 32; i++) {
				probes.add(clients.submit(() -> RawHttp.getOnce(managementPort, "/actuator/health").status()));
			}
			for (Future<Integer> probe : probes) {
				assertThat(probe.get()).isEqualTo(200);
			}
		}
		finally {
			clients.shutdownNow();
		}
		for (long pid : server.workerPids()) {
			// server.prefork.worker.management-threads (4) plus poller and acceptor; Tomcat's
			// defaults would have started 10 request threads and grown to 16 here.
			assertThat(threadsNamed(pid, MANAGEMENT_THREAD)).as("management threads of worker pid %d", pid)
				.isBetween(1L, 6L);
		}
	}

	private static long threadsNamed(long pid, String prefix) throws IOException {
		try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
			return tasks.map((task) -> {
				try {
					return Files.readString(task.resolve("comm")).trim();
				}
				catch (IOException ex) {
					return "";     // the thread ended
				}
			}).filter((name) -> name.startsWith(prefix)).count();
		}
	}

}
