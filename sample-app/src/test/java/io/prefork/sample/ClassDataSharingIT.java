package io.prefork.sample;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Automatic AppCDS with the sample app extracted the way the README says
 * ({@code java -Djarmode=tools -jar app.jar extract}): the master trains an archive (again
 * after its training run is killed), later workers and later masters start from it (the
 * worker JVM maps it, as its {@code /proc/<pid>/maps} shows), a corrupt or stale archive is
 * never used while workers still start, and the cache keeps no left-overs. Workers warm up,
 * so the training run serves the same warm-up before it writes the archive. The tests share
 * one cache directory, in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClassDataSharingIT {

	@TempDir
	static Path temp;

	/** The master's knob for the first retry delay (30 s by default). */
	private static final String RETRY_DELAY = "-Dprefork.cds.retry-delay-millis=2000";

	private static final Pattern TRAINING = Pattern.compile("Training a class-data archive for workers \\(pid (\\d+)");

	private static Path app;

	private static Path cache;

	@BeforeAll
	static void extractTheSampleApp() throws Exception {
		Process extract = new ProcessBuilder(
				ProcessHandle.current().info().command().orElseThrow(), "-Djarmode=tools", "-jar",
				PreforkServer.sampleJar(), "extract", "--destination", temp.resolve("app").toString())
			.redirectErrorStream(true)
			.redirectOutput(temp.resolve("extract.log").toFile())
			.start();
		assertThat(extract.waitFor()).as("extract exit code: %s", Files.readString(temp.resolve("extract.log")))
			.isZero();
		try (Stream<Path> files = Files.list(temp.resolve("app"))) {
			app = files.filter((file) -> file.toString().endsWith(".jar")).findFirst().orElseThrow();
		}
		cache = temp.resolve("cache");
	}

	@Test
	@Order(1)
	void aKilledTrainingRunIsRetriedAndWorkersSpawnedLaterStartFromTheArchive() throws IOException {
		Path archive;
		try (PreforkServer server = start(RETRY_DELAY)) {
			long training = awaitTrainingRun(server);
			ProcessHandle.of(training).orElseThrow().destroyForcibly();
			server.awaitTrue("the failed training", PreforkServer.STARTUP,
					() -> server.output().contains("Class-data training failed (attempt 1 of 3): the training run (pid "
							+ training + ") killed by signal 9 (SIGKILL)"));
			assertThat(server.output()).contains("next attempt in 2.0 s, once no worker is starting");
			assertThat(temporaryFiles()).as("the killed run's left-overs").isEmpty();
			server.awaitTrue("the class-data archive", PreforkServer.STARTUP,
					() -> server.countInOutput("Class-data archive ") == 1);
			assertThat(server.countInOutput("Training a class-data archive")).isEqualTo(2);
			assertThat(server.output()).contains("attempt 2 of 3, low priority");
			archive = onlyArchive();
			assertThat(temporaryFiles()).isEmpty();
			assertThat(server.output()).contains("Class-data archive " + archive + " ready")
				.contains("through the workers' warm-up");
			String fileName = archive.getFileName().toString();
			assertThat(cache.resolve(fileName.substring(0, fileName.length() - ".jsa".length()) + ".log"))
				.as("the training run's output")
				.content()
				.containsPattern("Class-data training warm-up: 20 requests to 1 path and \\d+ more until the JIT "
						+ "compilers were quiet, in \\d+\\.\\d s, 0 failed; exiting to write");
			server.awaitWorkersReady(1);
			Set<Long> before = server.workerPids();
			ProcessHandle.of(before.iterator().next()).orElseThrow().destroyForcibly();
			server.awaitWorkersReady(2);
			Set<Long> after = server.workerPids();
			after.removeAll(before);
			assertThat(after).as("the replacement worker").hasSize(1);
			assertThat(mappedFiles(after.iterator().next())).contains(archive.toString());
			assertThat(server.countInOutput("Training a class-data archive")).isEqualTo(2);
		}
		try (PreforkServer server = start()) {
			server.awaitWorkersReady(1);
			assertThat(server.output()).contains("Workers start from the class-data archive " + archive)
				.doesNotContain("Training a class-data archive");
			assertThat(server.workerPids()).isNotEmpty()
				.allSatisfy((pid) -> assertThat(mappedFiles(pid)).contains(archive.toString()));
		}
	}

	@Test
	@Order(2)
	@DisabledIfSystemProperty(named = "prefork.it.second-jdk", matches = "true",
			disabledReason = "the archive's bookkeeping is the same on every JDK; the default JDK covers it")
	void aCorruptArchiveIsIgnoredAndWorkersStillStart() throws IOException {
		Path archive = onlyArchive();
		// Same size, altered contents: a JVM given this archive would crash.
		try (RandomAccessFile file = new RandomAccessFile(archive.toFile(), "rw")) {
			file.seek(file.length() / 2);
			file.write(new byte[4096]);
		}
		try (PreforkServer server = start()) {
			server.awaitWorkersReady(1);
			assertThat(server.output()).contains("Ignoring the class-data archive " + archive
					+ ": it does not match the checksum it was verified with");
			assertThat(server.workerPids()).allSatisfy(
					(pid) -> assertThat(mappedFiles(pid)).doesNotContain(archive.toString()));
			server.awaitTrue("a new class-data archive", PreforkServer.STARTUP,
					() -> server.countInOutput("Class-data archive " + archive + " ready") == 1);
		}
	}

	@Test
	@Order(3)
	@DisabledIfSystemProperty(named = "prefork.it.second-jdk", matches = "true",
			disabledReason = "the archive's bookkeeping is the same on every JDK; the default JDK covers it")
	void aStaleArchiveIsNotUsedAndIsReplaced() throws IOException {
		Path old = onlyArchive();
		// A rebuilt library: the class path changed, so the archive no longer fits it.
		Path library;
		try (Stream<Path> libraries = Files.list(temp.resolve("app/lib"))) {
			library = libraries.filter((file) -> file.getFileName().toString().startsWith("spring-web-"))
				.findFirst()
				.orElseThrow();
		}
		Files.setLastModifiedTime(library, FileTime.fromMillis(System.currentTimeMillis()));
		// Left by a master that was killed, and by an application not run for 40 days.
		List<Path> leftOvers = List.of(cache.resolve("prefork-000000000000-111111111111.jsa.999999999.tmp"),
				cache.resolve("prefork-000000000000-222222222222.jsa"),
				cache.resolve("prefork-000000000000-222222222222.jsa.ok"),
				cache.resolve("prefork-000000000000-222222222222.log"));
		for (Path file : leftOvers) {
			Files.writeString(file, "x");
			Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(Duration.ofDays(40))));
		}
		try (PreforkServer server = start()) {
			server.awaitWorkersReady(1);
			assertThat(server.output()).contains("Deleted 4 left-over or unused files from the class-data cache");
			assertThat(leftOvers).allSatisfy((file) -> assertThat(file).doesNotExist());
			assertThat(server.output()).contains("Training a class-data archive")
				.doesNotContain("Workers start from the class-data archive");
			assertThat(server.workerPids()).allSatisfy(
					(pid) -> assertThat(mappedFiles(pid)).doesNotContain(old.toString()));
			server.awaitTrue("the new class-data archive", PreforkServer.STARTUP,
					() -> server.countInOutput("Class-data archive ") == 1);
			assertThat(onlyArchive()).isNotEqualTo(old);
			assertThat(old).as("the superseded archive").doesNotExist();
		}
	}

	private static PreforkServer start(String... arguments) throws IOException {
		List<String> all = new ArrayList<>(List.of("--server.prefork.workers=1",
				"--server.prefork.worker.cds.enabled=true", "--server.prefork.worker.cds.directory=" + cache,
				"--server.prefork.worker.warmup.paths=/hello", "--server.prefork.worker.warmup.requests=20"));
		all.addAll(List.of(arguments));
		return PreforkServer.start(app, all.toArray(String[]::new));
	}

	// The training run by its pid: the one the master logged, checked to be the master's
	// child (its parent in /proc/<pid>/stat) and a training JVM (its command line).
	private static long awaitTrainingRun(PreforkServer server) {
		server.awaitTrue("the training run", PreforkServer.STARTUP, () -> TRAINING.matcher(server.output()).find());
		Matcher matcher = TRAINING.matcher(server.output());
		assertThat(matcher.find()).isTrue();
		long pid = Long.parseLong(matcher.group(1));
		assertThat(server.workerPids()).as("the master's children").contains(pid);
		assertThat(parentOf(pid)).isEqualTo(server.pid());
		// JDK 25 and later train an AOT cache, earlier ones a dynamic archive.
		assertThat(commandLine(pid))
			.contains((Runtime.version().feature() >= 25) ? "-XX:AOTCacheOutput=" : "-XX:ArchiveClassesAtExit=");
		return pid;
	}

	private static long parentOf(long pid) {
		String stat = readProc(pid, "stat");
		// pid (comm) state ppid ...: comm may hold spaces, so read after its closing parenthesis.
		return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]);
	}

	private static String commandLine(long pid) {
		return readProc(pid, "cmdline").replace('\0', ' ');
	}

	private static String readProc(long pid, String file) {
		try {
			return Files.readString(Path.of("/proc/" + pid + "/" + file));
		}
		catch (IOException ex) {
			throw new AssertionError("Cannot read /proc/" + pid + "/" + file, ex);
		}
	}

	private static List<Path> temporaryFiles() throws IOException {
		try (Stream<Path> files = Files.list(cache)) {
			return files.filter((file) -> file.toString().endsWith(".tmp")).toList();
		}
	}

	private static Path onlyArchive() throws IOException {
		try (Stream<Path> files = Files.list(cache)) {
			List<Path> archives = files.filter((file) -> file.toString().endsWith(".jsa")).toList();
			assertThat(archives).as("archives in " + cache).hasSize(1);
			return archives.get(0);
		}
	}

	private static String mappedFiles(long pid) {
		try {
			return Files.readString(Path.of("/proc/" + pid + "/maps"));
		}
		catch (IOException ex) {
			throw new AssertionError("Cannot read the memory map of pid " + pid, ex);
		}
	}

}
