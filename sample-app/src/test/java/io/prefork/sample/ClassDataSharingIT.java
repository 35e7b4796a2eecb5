package io.prefork.sample;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Automatic AppCDS with the sample app extracted the way the README says
 * ({@code java -Djarmode=tools -jar app.jar extract}): the master trains an archive once,
 * later workers and later masters start from it (the worker JVM maps it, as its
 * {@code /proc/<pid>/maps} shows), and a corrupt or stale archive is never used while
 * workers still start. The tests share one cache directory, in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClassDataSharingIT {

	@TempDir
	static Path temp;

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
	void theMasterTrainsAnArchiveOnceAndWorkersSpawnedLaterStartFromIt() throws IOException {
		Path archive;
		try (PreforkServer server = start()) {
			server.awaitTrue("the class-data archive", PreforkServer.STARTUP,
					() -> server.countInOutput("Class-data archive ") == 1);
			archive = onlyArchive();
			assertThat(server.output()).contains("Class-data archive " + archive + " ready");
			server.awaitWorkersReady(1);
			Set<Long> before = server.workerPids();
			ProcessHandle.of(before.iterator().next()).orElseThrow().destroyForcibly();
			server.awaitWorkersReady(2);
			Set<Long> after = server.workerPids();
			after.removeAll(before);
			assertThat(after).as("the replacement worker").hasSize(1);
			assertThat(mappedFiles(after.iterator().next())).contains(archive.toString());
			assertThat(server.countInOutput("Training a class-data archive")).isEqualTo(1);
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
		try (PreforkServer server = start()) {
			server.awaitWorkersReady(1);
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

	private static PreforkServer start() throws IOException {
		return PreforkServer.start(app, "--server.prefork.workers=1", "--server.prefork.worker.cds.enabled=true",
				"--server.prefork.worker.cds.directory=" + cache);
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
