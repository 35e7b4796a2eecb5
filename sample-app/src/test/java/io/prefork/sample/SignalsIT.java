package io.prefork.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every signal that used to end a JVM (or that a user might send) leaves a lean master and
 * its workers serving; SIGUSR1 reopens the log file after logrotate moved it. One server
 * for all the checks. SIGUSR2 upgrades the server when the master gets it ({@link UpgradeIT});
 * a worker ignores it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SignalsIT {

	private static Path logs;

	private static PreforkServer server;

	@BeforeAll
	static void start() throws IOException {
		logs = Files.createTempDirectory("prefork-signals-");
		// No JVM options of the master's own: it re-executes itself with the lean ones and
		// with SIGUSR2 freed, as a user's master does.
		server = PreforkServer.start(List.of(), "--logging.file.name=" + logs.resolve("app.log"),
				"--server.prefork.timeouts.boot=180s");
		server.awaitWorkersReady(2);
	}

	@AfterAll
	static void stop() throws IOException {
		if (server != null) {
			server.close();
		}
		try (Stream<Path> files = Files.list(logs)) {
			for (Path file : files.toList()) {
				Files.delete(file);
			}
		}
		Files.delete(logs);
	}

	@ParameterizedTest
	@Order(1)
	@ValueSource(strings = { "USR1", "ALRM", "WINCH", "PIPE", "URG", "CONT", "IO", "PWR" })
	void masterAndWorkerSurviveTheSignalAndKeepServing(String signal) throws Exception {
		long worker = server.workerPids().iterator().next();
		server.signal(signal);
		send(signal, worker);
		// The handlers run asynchronously; a JVM that dies of the signal is gone within this.
		Thread.sleep(500);
		assertThat(server.process().isAlive()).as("master after SIG%s", signal).isTrue();
		assertThat(ProcessHandle.of(worker).map(ProcessHandle::isAlive)).as("worker after SIG%s", signal)
			.contains(true);
		assertThat(server.workerPids()).contains(worker);
		for (int i = 0; i < 4; i++) {
			assertThat(RawHttp.getOnce(server.port(), "/hello").status()).isEqualTo(200);
		}
	}

	@Test
	@Order(2)
	void aWorkerLogsAndIgnoresSigusr2AndNoJvmCrashed() throws Exception {
		long worker = server.workerPids().iterator().next();
		send("USR2", worker);
		server.awaitTrue("the worker's log line", Duration.ofSeconds(30),
				() -> server.countInOutput("SIGUSR2 ignored: it upgrades the server when sent to the master") == 1);
		assertThat(server.workerPids()).contains(worker);
		assertThat(RawHttp.getOnce(server.port(), "/hello").status()).isEqualTo(200);
		assertThat(server.output()).doesNotContain("SIGSEGV").doesNotContain("A fatal error has been detected");
		try (Stream<Path> files = Files.list(Path.of(""))) {
			assertThat(files.map(Path::toString)).noneMatch((name) -> name.startsWith("hs_err_pid"));
		}
	}

	@Test
	@Order(3)
	void sigusr1ReopensTheLogFileInTheMasterAndItsWorkers() throws Exception {
		Path log = logs.resolve("app.log");
		server.awaitTrue("the log file", Duration.ofSeconds(30), () -> Files.exists(log));
		Files.move(log, logs.resolve("app.log.1"));
		server.signal("USR1");
		server.awaitTrue("the master and both workers writing the new log file", Duration.ofSeconds(60),
				() -> count(log, "SIGUSR1: reopened 1 log file(s) of the master, relayed to 2 worker(s)") == 1
						&& count(log, "SIGUSR1: reopened 1 log file(s)") == 3);
		assertThat(RawHttp.getOnce(server.port(), "/hello").status()).isEqualTo(200);
	}

	private static long count(Path file, String text) {
		try {
			return Files.exists(file) ? Files.readString(file).split(java.util.regex.Pattern.quote(text), -1).length - 1
					: 0;
		}
		catch (IOException ex) {
			return 0;
		}
	}

	private static void send(String signal, long pid) throws IOException, InterruptedException {
		Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
		assertThat(kill.waitFor()).as("kill -%s %d", signal, pid).isZero();
	}

}
