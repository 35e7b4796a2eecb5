package io.prefork.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.util.FileSystemUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code server.prefork.user} and {@code server.prefork.group}: a master started as root
 * serves through workers that run as a system user created for the test (and removed
 * after it), with that user's supplementary groups. Skipped unless the tests run as root
 * on a machine with {@code useradd}.
 */
class PrivilegesIT {

	private static final String SUFFIX = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(2);

	/** The worker user, with a primary group of its own name and one supplementary group. */
	private static final String USER = "pfit" + SUFFIX;

	private static final String EXTRA_GROUP = "pfitx" + SUFFIX;

	private static Path applicationDirectory;

	private static Path jar;

	private static boolean userCreated;

	private static boolean groupCreated;

	@BeforeAll
	static void createUserAndCopyTheJar() throws Exception {
		assumeTrue("root".equals(System.getProperty("user.name")),
				"PrivilegesIT needs root (it creates a system user and starts the master as root)");
		assumeTrue(Files.isExecutable(Path.of("/usr/sbin/useradd")) && Files.isExecutable(Path.of("/usr/sbin/groupadd")),
				"PrivilegesIT needs useradd and groupadd");
		run("groupadd", "--system", EXTRA_GROUP);
		groupCreated = true;
		run("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "--user-group", "--groups",
				EXTRA_GROUP, USER);
		userCreated = true;
		// JUnit's and Maven's directories may be private to root; this one the user can read.
		applicationDirectory = Files.createTempDirectory("prefork-privileges-it-");
		Files.setPosixFilePermissions(applicationDirectory, PosixFilePermissions.fromString("rwxr-xr-x"));
		jar = Files.copy(Path.of(PreforkServer.sampleJar()), applicationDirectory.resolve("sample.jar"),
				StandardCopyOption.COPY_ATTRIBUTES);
		Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
	}

	@AfterAll
	static void removeUserAndFiles() throws Exception {
		if (userCreated) {
			run("userdel", USER);
		}
		if (groupCreated) {
			run("groupdel", EXTRA_GROUP);
		}
		if (applicationDirectory != null) {
			FileSystemUtils.deleteRecursively(applicationDirectory);
		}
	}

	@Test
	void workersRunAsTheUserWithItsGroupsAndServe() throws Exception {
		try (PreforkServer server = PreforkServer.start(jar, "--server.prefork.user=" + USER)) {
			server.awaitWorkersReady(2);
			int uid = Integer.parseInt(output("id", "-u", USER));
			int gid = Integer.parseInt(output("id", "-g", USER));
			int extraGid = Integer.parseInt(output("getent", "group", EXTRA_GROUP).split(":")[2]);
			assertThat(server.workerPids()).hasSize(2).allSatisfy((pid) -> {
				Map<String, String> status = status(pid);
				assertThat(status.get("Uid")).isEqualTo(ids(uid));
				assertThat(status.get("Gid")).isEqualTo(ids(gid));
				assertThat(status.get("Groups").split("\\s+")).containsExactlyInAnyOrder(Integer.toString(gid),
						Integer.toString(extraGid));
			});
			assertThat(status(server.pid()).get("Uid")).isEqualTo(ids(0));
			assertThat(RawHttp.getOnce(server.port(), "/hello").status()).isEqualTo(200);
			// The workers read and write the scoreboard the master created and handed over.
			RawHttp.Response prefork = RawHttp.getOnce(server.port(), "/actuator/prefork");
			assertThat(prefork.status()).isEqualTo(200);
			assertThat(prefork.body()).contains("\"pid\":" + server.workerPids().iterator().next());
			assertThat(server.output()).contains("Workers run as user " + USER + " (uid " + uid + ")");
		}
	}

	@Test
	void anUnknownUserStopsTheMasterBeforeAnyWorker() throws Exception {
		assertRefused(List.of("--server.prefork.user=nosuchuser" + SUFFIX), "server.prefork.user",
				"must name a user of this machine");
	}

	@Test
	void anUnknownGroupStopsTheMasterBeforeAnyWorker() throws Exception {
		assertRefused(List.of("--server.prefork.user=" + USER, "--server.prefork.group=nosuchgroup" + SUFFIX),
				"server.prefork.group", "must name a group of this machine");
	}

	@Test
	void aUserWhoCannotReadTheApplicationStopsTheMasterBeforeAnyWorker() throws Exception {
		Path hidden = Files.createTempDirectory("prefork-privileges-hidden-");
		try {
			Path privateJar = Files.copy(jar, hidden.resolve("sample.jar"));
			try (PreforkServer server = PreforkServer.startWithoutWaiting(privateJar,
					"--server.prefork.user=" + USER)) {
				assertExitedWithoutWorkers(server, "server.prefork.user", "cannot read " + privateJar);
			}
		}
		finally {
			FileSystemUtils.deleteRecursively(hidden);
		}
	}

	private static void assertRefused(List<String> arguments, String property, String reason) throws Exception {
		try (PreforkServer server = PreforkServer.startWithoutWaiting(jar, arguments.toArray(String[]::new))) {
			assertExitedWithoutWorkers(server, property, reason);
		}
	}

	private static void assertExitedWithoutWorkers(PreforkServer server, String property, String reason)
			throws InterruptedException {
		assertThat(server.process().waitFor(PreforkServer.STARTUP.toSeconds(), TimeUnit.SECONDS)).isTrue();
		assertThat(server.process().exitValue()).isEqualTo(1);
		assertThat(server.output()).contains("'" + property + "'").contains(reason).doesNotContain("Spawned");
	}

	private static String ids(int id) {
		return id + "\t" + id + "\t" + id + "\t" + id;
	}

	private static Map<String, String> status(long pid) {
		try {
			return Files.readAllLines(Path.of("/proc/" + pid + "/status"))
				.stream()
				.filter((line) -> line.contains(":"))
				.collect(Collectors.toMap((line) -> line.substring(0, line.indexOf(':')),
						(line) -> line.substring(line.indexOf(':') + 1).trim(), (a, b) -> a));
		}
		catch (IOException ex) {
			throw new AssertionError("Cannot read the status of pid " + pid, ex);
		}
	}

	private static void run(String... command) throws Exception {
		output(command);
	}

	private static String output(String... command) throws Exception {
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes()).trim();
		assertThat(process.waitFor(Duration.ofSeconds(60).toSeconds(), TimeUnit.SECONDS)).isTrue();
		assertThat(process.exitValue()).as(String.join(" ", command) + ": " + output).isZero();
		return output;
	}

}
