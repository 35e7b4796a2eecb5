package io.prefork.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The zero-downtime upgrade (SIGUSR2), as a deploy does it: the server runs {@code app.jar},
 * a symlink to the packaged sample, with its version in a configuration file; a deploy
 * points the symlink elsewhere or edits the file, then signals the master the pid file
 * names. One server for both cases, to save a start: each test begins from whichever master
 * the pid file names and puts the symlink back, so either runs alone or in any order. The
 * failing one runs first because it leaves that master in place. With python3 the test also
 * plays systemd's notification socket, recording who sent what.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UpgradeIT {

	private static final Duration UPGRADE = Duration.ofSeconds(240);

	/** Writes each datagram with its sender's pid (SO_PASSCRED), one per line. */
	private static final String NOTIFY_RECEIVER = """
			import socket, struct, sys
			receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
			receiver.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
			receiver.bind(sys.argv[1])
			while True:
			    message, ancillary, _, _ = receiver.recvmsg(4096, socket.CMSG_SPACE(12))
			    pid = [struct.unpack("iii", data[:12])[0] for level, kind, data in ancillary
			           if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS]
			    with open(sys.argv[2], "a") as f:
			        f.write(str(pid[0] if pid else 0) + " " + message.decode().replace("\\n", " ") + "\\n")
			""";

	private static Process notifyReceiver;

	private static Path notifications;

	private static Path directory;

	private static Path jar;

	private static Path versionFile;

	private static Path pidFile;

	private static PreforkServer server;

	private static int managementPort;

	@BeforeAll
	static void start() throws IOException {
		directory = Files.createTempDirectory("prefork-upgrade-");
		jar = Files.createSymbolicLink(directory.resolve("app.jar"), Path.of(PreforkServer.sampleJar()).toAbsolutePath());
		versionFile = Files.writeString(directory.resolve("version.properties"), "sample.version=1\n");
		pidFile = directory.resolve("app.pid");
		server = PreforkServer.startWrapped(jar, notifySocket(), List.of(),
				"--spring.config.import=optional:file:" + versionFile, "--server.prefork.pid-file=" + pidFile,
				"--server.prefork.timeouts.boot=180s", "--server.prefork.timeouts.upgrade=" + UPGRADE.toSeconds() + "s",
				"--server.prefork.worker.max-connections=1", "--management.server.port=0",
				"--management.server.address=127.0.0.1");
		Matcher management = Pattern.compile("management port 127\\.0\\.0\\.1:(\\d+)").matcher(server.output());
		assertThat(management.find()).as("the management port in the log").isTrue();
		managementPort = Integer.parseInt(management.group(1));
		server.awaitWorkersReady(2);
		assertThat(currentMaster()).isEqualTo(server.pid());
	}

	// The wrapper that gives the master NOTIFY_SOCKET, if python3 can receive on it.
	private static List<String> notifySocket() throws IOException {
		try {
			if (new ProcessBuilder("python3", "--version").start().waitFor() != 0) {
				return List.of();
			}
			Path socket = directory.resolve("notify.sock");
			notifications = directory.resolve("notifications.txt");
			Path script = Files.writeString(directory.resolve("receiver.py"), NOTIFY_RECEIVER);
			notifyReceiver = new ProcessBuilder("python3", script.toString(), socket.toString(), notifications.toString())
				.inheritIO()
				.start();
			await("the notification socket", () -> Files.exists(socket) || !notifyReceiver.isAlive());
			assertThat(notifyReceiver.isAlive()).as("the notification receiver runs").isTrue();
			return List.of("env", "NOTIFY_SOCKET=" + socket);
		}
		catch (IOException ex) {
			return List.of();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException(ex);
		}
	}

	@AfterAll
	static void stop() throws IOException, InterruptedException {
		List<ProcessHandle> tree = new ArrayList<>();
		if (pidFile != null && Files.exists(pidFile)) {
			ProcessHandle.of(currentMaster()).ifPresent((master) -> {
				tree.add(master);
				tree.addAll(master.descendants().toList());
				master.destroy();
			});
		}
		if (server != null) {
			server.close();
		}
		if (notifyReceiver != null) {
			notifyReceiver.destroy();
			notifyReceiver.waitFor(30, TimeUnit.SECONDS);
		}
		for (ProcessHandle process : tree) {
			awaitExit(process, Duration.ofSeconds(60));
			process.destroyForcibly();
		}
		for (String name : List.of("app.jar", "broken.jar", "version.properties", "app.pid", "notify.sock",
				"notifications.txt", "receiver.py")) {
			Files.deleteIfExists(directory.resolve(name));
		}
		Files.deleteIfExists(directory);
	}

	@Test
	@Order(1)
	void aNewVersionThatCannotStartIsReportedAndTheOldMasterKeepsServing() throws Exception {
		long master = currentMaster();
		Set<Long> workers = children(master);
		int failuresBefore = server.countInOutput("Upgrade failed: ");
		switchJar(Files.writeString(directory.resolve("broken.jar"), "not a jar\n"));
		try {
			kill("USR2", master);
			await("the failed upgrade to be reported", () -> server.countInOutput("Upgrade failed: ") > failuresBefore);
		}
		finally {
			switchJar(Path.of(PreforkServer.sampleJar()).toAbsolutePath());
		}
		String output = server.output();
		assertThat(output).containsPattern("Upgrade failed: the new master pid \\d+ exited with code 1 after "
				+ "[0-9.]+ s, before its workers were ready \\(see its output above\\); this master keeps serving");
		assertThat(output).contains("Invalid or corrupt jarfile " + jar);
		assertThat(ProcessHandle.of(master).map(ProcessHandle::isAlive)).contains(true);
		assertThat(children(master)).as("the same workers, and no new master left").isEqualTo(workers);
		assertThat(currentMaster()).isEqualTo(master);
		assertThat(RawHttp.getOnce(server.port(), "/version").body()).isEqualTo(version());
	}

	@Test
	@Order(2)
	void underASteadyRequestLoopEveryRequestIsAnsweredAndAnswersSwitchToTheNewVersion() throws Exception {
		long oldMaster = currentMaster();
		List<ProcessHandle> oldTree = new ArrayList<>(ProcessHandle.of(oldMaster).orElseThrow().descendants().toList());
		oldTree.add(ProcessHandle.of(oldMaster).orElseThrow());
		String oldVersion = version();
		String newVersion = Integer.toString(Integer.parseInt(oldVersion) + 1);
		Files.writeString(versionFile, "sample.version=" + newVersion + "\n");
		// Workers hold one connection each, and two clients keep them busy with slow requests:
		// requests are in flight when the old master drains, and connections may wait in its
		// queue when it hands over.
		// A probe on the management port must never see a refusal or a draining worker either.
		int port = server.port();
		RequestLoop loop = new RequestLoop(List.of(new Client(port, "/version"), new Client(port, "/version"),
				new Client(port, "/version"), new Client(port, "/sleep?ms=300"), new Client(port, "/sleep?ms=300"),
				new Client(managementPort, "/actuator/health")));
		loop.start();
		try {
			await("answers before the upgrade", () -> loop.answers(oldVersion) >= 10);
			kill("USR2", oldMaster);
			await("the pid file to name a new master", () -> currentMaster() != oldMaster);
			long newMaster = currentMaster();
			await("the old master and its workers to exit", () -> oldTree.stream().noneMatch(ProcessHandle::isAlive));
			int atExit = loop.count();
			await("answers after the old master exited", () -> loop.count() >= atExit + loop.clients() + 10);
			loop.finish();
			assertThat(loop.failures).as("transport failures: " + loop.firstFailure).isEmpty();
			assertThat(loop.otherStatuses.get()).as("answers other than 200: " + loop.firstOtherStatus).isZero();
			assertThat(loop.answers(oldVersion)).isPositive();
			// Each client may add one answer it read before the old master exited.
			assertThat(loop.versionsFrom(atExit + loop.clients())).containsOnly(newVersion);
			assertThat(children(newMaster)).hasSize(2);
			assertThat(ProcessHandle.of(newMaster).flatMap(ProcessHandle::parent).map(ProcessHandle::pid))
				.as("reparented when the old master exited").isNotEqualTo(java.util.Optional.of(oldMaster));
			assertThat(server.process().exitValue()).as("the old master's exit code").isZero();
			assertThat(server.output()).contains("Serving the management socket handed in as fd 4 (127.0.0.1:"
					+ managementPort + ")")
				.contains("Upgrade: the new master pid " + newMaster + " is ready; this master stops accepting")
				.containsPattern("\\[master\\] " + oldMaster
						+ " .*All workers stopped; prefork master exiting with 0 \\(connections turned away: none\\)")
				.contains("Upgrade: 2 workers ready; the old master pid " + oldMaster + " stops accepting and drains");
			if (notifications != null) {
				// The old master, systemd's main process, moved MAINPID; the new master did not
				// announce itself, and nobody said the service was stopping.
				await("READY=1 and MAINPID=", () -> notified().contains(oldMaster + " MAINPID=" + newMaster + " "));
				assertThat(notified()).contains(oldMaster + " READY=1 MAINPID=" + oldMaster + " ")
					.doesNotContain(newMaster + " READY=1")
					.doesNotContain("STOPPING=1");
			}
			System.out.println("UpgradeIT: " + loop.summary() + "; old master handed connections from its queue: "
					+ server.output().contains("connections waiting in it to its workers"));
		}
		finally {
			loop.finish();
		}
	}

	private static String notified() {
		try {
			return Files.exists(notifications) ? Files.readString(notifications) : "";
		}
		catch (IOException ex) {
			return "";
		}
	}

	private static String version() throws IOException {
		return Files.readString(versionFile).trim().substring("sample.version=".length());
	}

	// Replace the symlink atomically, as a deploy script does (ln -sfn … then mv -T).
	private static void switchJar(Path target) throws IOException {
		Path next = directory.resolve("app.jar.next");
		Files.deleteIfExists(next);
		Files.createSymbolicLink(next, target);
		Files.move(next, jar, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
				java.nio.file.StandardCopyOption.REPLACE_EXISTING);
	}

	private static long currentMaster() {
		try {
			return Long.parseLong(Files.readString(pidFile).trim());
		}
		catch (IOException | NumberFormatException ex) {
			// Between the new master's write and rename there is always a whole file.
			throw new AssertionError("Cannot read the pid file " + pidFile, ex);
		}
	}

	private static Set<Long> children(long pid) {
		return ProcessHandle.of(pid).map((process) -> process.children().filter(ProcessHandle::isAlive)
			.map(ProcessHandle::pid).collect(Collectors.toSet())).orElse(Set.of());
	}

	private static void kill(String signal, long pid) throws IOException, InterruptedException {
		Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
		assertThat(kill.waitFor()).as("kill -%s %d", signal, pid).isZero();
	}

	private static void await(String what, BooleanSupplier condition) throws InterruptedException {
		long deadline = System.nanoTime() + UPGRADE.toNanos();
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() - deadline > 0) {
				String output = (server != null) ? server.output() : "";
				throw new AssertionError("Timed out waiting for " + what + "; output:\n"
						+ output.substring(Math.max(0, output.length() - 8000)));
			}
			Thread.sleep(50);
		}
	}

	private static void awaitExit(ProcessHandle process, Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (process.isAlive() && System.nanoTime() - deadline < 0) {
			Thread.sleep(50);
		}
	}

	/**
	 * Clients that each GET one path on a new connection, one request after the other,
	 * counting what comes back.
	 */
	private record Client(int port, String path) {
	}

	private static final class RequestLoop {

		private final List<Thread> clients = new ArrayList<>();

		private final AtomicBoolean running = new AtomicBoolean(true);

		private final List<String> versions = java.util.Collections.synchronizedList(new ArrayList<>());

		private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

		final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());

		final AtomicInteger otherStatuses = new AtomicInteger();

		volatile String firstFailure;

		volatile String firstOtherStatus;

		private final AtomicInteger others = new AtomicInteger();

		RequestLoop(List<Client> clients) {
			for (int i = 0; i < clients.size(); i++) {
				Client client = clients.get(i);
				Thread thread = new Thread(() -> run(client.port(), client.path()), "upgrade-request-loop-" + i);
				thread.setDaemon(true);
				this.clients.add(thread);
			}
		}

		void start() {
			this.clients.forEach(Thread::start);
		}

		int clients() {
			return this.clients.size();
		}

		private void run(int port, String path) {
			while (this.running.get()) {
				try {
					RawHttp.Response response = RawHttp.getOnce(port, path);
					if (response.status() == 200 && !path.equals("/version")) {
						this.others.incrementAndGet();
					}
					else if (response.status() == 200) {
						this.versions.add(response.body());
						this.counts.computeIfAbsent(response.body(), (key) -> new AtomicInteger()).incrementAndGet();
					}
					else {
						this.otherStatuses.incrementAndGet();
						this.firstOtherStatus = path + " answered " + response.status();
					}
					// Paced, so the loop does not starve the booting new master of CPU.
					Thread.sleep(5);
				}
				catch (IOException ex) {
					if (this.firstFailure == null) {
						this.firstFailure = System.currentTimeMillis() + " " + path + ": " + ex;
					}
					this.failures.add(path + ": " + ex);
				}
				catch (InterruptedException ex) {
					return;
				}
			}
		}

		int answers(String version) {
			AtomicInteger count = this.counts.get(version);
			return (count != null) ? count.get() : 0;
		}

		int count() {
			return this.versions.size();
		}

		Set<String> versionsFrom(int index) {
			synchronized (this.versions) {
				return Set.copyOf(this.versions.subList(index, this.versions.size()));
			}
		}

		String summary() {
			return "versions " + this.counts + ", slow and health " + this.others + ", failures " + this.failures.size()
					+ ", other statuses " + this.otherStatuses;
		}

		void finish() throws InterruptedException {
			this.running.set(false);
			for (Thread client : this.clients) {
				client.join(TimeUnit.SECONDS.toMillis(30));
			}
		}

	}

}
