package io.prefork.master;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.prefork.PreforkSettings;
import io.prefork.pool.ExitStatus;
import io.prefork.posix.Processes;

import static org.assertj.core.api.Assertions.assertThat;

class ClassDataSharingTests {

	private static final List<String> ENVIRONMENT = List.of("PATH=/usr/bin:/bin");

	private static final Duration FIRST_RETRY = Duration.ofMillis(200);

	// Stands in for java: the first training run writes part of an archive and hangs, the
	// second fails, the third writes an archive; a JVM checking the archive succeeds.
	private static final String FAKE_JAVA = """
			#!/bin/sh
			runs="$(dirname "$0")/runs"
			for a in "$@"; do
			  case "$a" in
			    -XX:ArchiveClassesAtExit=*) out="${a#*=}" ;;
			    -version) exit 0 ;;
			  esac
			done
			run=$(( $(cat "$runs" 2>/dev/null || echo 0) + 1 ))
			echo "$run" > "$runs"
			echo "training run $run"
			case "$run" in
			  1) printf partial > "$out"; exec sleep 600 ;;
			  2) exit 3 ;;
			  *) printf archive > "$out"; exit 0 ;;
			esac
			""";

	@TempDir
	Path temp;

	@Test
	void workersStartFromAVerifiedArchive() throws IOException {
		Path app = jar("app.jar", null);
		Path cache = this.temp.resolve("cache");
		WorkerCommandLine commandLine = WorkerCommandLine.build(List.of("java", "-jar", app.toString()),
				"/usr/bin/java", List.of());
		ClassDataSharing untrained = ClassDataSharing.create(new PreforkSettings.Cds(true, cache), commandLine,
				List.of(), app.toString());
		assertThat(untrained.workerOptions()).isEmpty();
		ClassDataArchive archive = ClassDataArchive.of(cache, ClassDataSharing.jvmBuild(), commandLine.jvm(), app.toString());
		Files.write(archive.trainingFile(), new byte[10]);
		archive.publish(archive.trainingFile());
		ClassDataSharing trained = ClassDataSharing.create(new PreforkSettings.Cds(true, cache), commandLine,
				List.of(), app.toString());
		assertThat(trained.workerOptions()).containsExactly("-XX:SharedArchiveFile=" + archive.file(), "-Xshare:auto");
		ClassDataSharing disabled = ClassDataSharing.create(new PreforkSettings.Cds(false, cache), commandLine,
				List.of(), app.toString());
		assertThat(disabled.workerOptions()).isEmpty();
	}

	@Test
	void leavesClassDataSharingToACommandLineThatSetsItUp() throws IOException {
		Path app = jar("app.jar", null);
		WorkerCommandLine commandLine = WorkerCommandLine.build(List.of("java", "-jar", app.toString()),
				"/usr/bin/java", List.of("-XX:SharedArchiveFile=/opt/app.jsa"));
		ClassDataSharing sharing = ClassDataSharing.create(new PreforkSettings.Cds(true, this.temp.resolve("cache")),
				commandLine, List.of(), app.toString());
		assertThat(sharing.workerOptions()).isEmpty();
		assertThat(this.temp.resolve("cache")).doesNotExist();
	}

	@Test
	void isOffForAClassPathWithADirectoryOfClasses() throws IOException {
		Path classes = Files.createDirectories(this.temp.resolve("classes"));
		Files.writeString(classes.resolve("Main.class"), "");
		WorkerCommandLine commandLine = WorkerCommandLine.build(List.of("java", "-cp", classes.toString(), "Main"),
				"/usr/bin/java", List.of());
		ClassDataSharing sharing = ClassDataSharing.create(new PreforkSettings.Cds(true, this.temp.resolve("cache")),
				commandLine, List.of(), classes.toString());
		assertThat(sharing.workerOptions()).isEmpty();
		assertThat(this.temp.resolve("cache")).doesNotExist();
	}

	@Test
	void aKilledOrFailedTrainingRunIsRetriedLaterAndLeavesNoTemporaryFiles() throws Exception {
		Path app = jar("app.jar", null);
		Path cache = this.temp.resolve("cache");
		WorkerCommandLine commandLine = WorkerCommandLine.build(List.of("java", "-jar", app.toString()),
				fakeJava().toString(), List.of());
		ClassDataSharing sharing = ClassDataSharing.create(new PreforkSettings.Cds(true, cache), commandLine,
				List.of(), app.toString(), FIRST_RETRY);
		ClassDataArchive archive = ClassDataArchive.of(cache, ClassDataSharing.jvmBuild(), commandLine.jvm(),
				app.toString());
		sharing.workerSpawned(ENVIRONMENT);
		int first = sharing.helperPid();
		awaitFile(archive.trainingFile());
		Processes.kill(first);
		int killed = reap(first);
		assertThat(ExitStatus.fromWaitStatus(killed).signal()).isEqualTo(9);
		assertThat(sharing.reaped(first, killed, ENVIRONMENT)).isTrue();
		assertThat(archive.trainingFile()).as("the partial archive").doesNotExist();
		assertThat(sharing.workerOptions()).isEmpty();
		sharing.workerSpawned(ENVIRONMENT);
		sharing.maintain(System.nanoTime(), 0, ENVIRONMENT);
		assertThat(sharing.helperPid()).as("before the retry is due").isEqualTo(-1);
		sharing.maintain(later(FIRST_RETRY), 1, ENVIRONMENT);
		assertThat(sharing.helperPid()).as("while a worker boots").isEqualTo(-1);
		sharing.maintain(later(FIRST_RETRY), 0, ENVIRONMENT);
		int second = sharing.helperPid();
		assertThat(second).as("the second run").isPositive();
		assertThat(sharing.reaped(second, reap(second), ENVIRONMENT)).isTrue();
		sharing.maintain(later(FIRST_RETRY), 0, ENVIRONMENT);
		assertThat(sharing.helperPid()).as("the delay doubled").isEqualTo(-1);
		sharing.maintain(later(FIRST_RETRY.multipliedBy(2)), 0, ENVIRONMENT);
		int third = sharing.helperPid();
		assertThat(third).as("the third run").isPositive();
		assertThat(sharing.reaped(third, reap(third), ENVIRONMENT)).isTrue();
		int verifying = sharing.helperPid();
		assertThat(sharing.reaped(verifying, reap(verifying), ENVIRONMENT)).isTrue();
		assertThat(sharing.workerOptions()).containsExactly("-XX:SharedArchiveFile=" + archive.file(), "-Xshare:auto");
		assertThat(archive.isVerified()).isTrue();
		try (Stream<Path> files = Files.list(cache)) {
			assertThat(files.map((file) -> file.getFileName().toString())).containsExactlyInAnyOrder(
					archive.file().getFileName().toString(), archive.file().getFileName() + ".ok",
					archive.trainingLog().getFileName().toString());
		}
		assertThat(Files.readString(archive.trainingLog())).contains("training run 1", "training run 2",
				"training attempt 3 of 3", "training run 3");
	}

	@Test
	void givesUpAfterThreeFailedTrainingRuns() throws Exception {
		Path app = jar("app.jar", null);
		Path cache = this.temp.resolve("cache");
		WorkerCommandLine commandLine = WorkerCommandLine.build(List.of("java", "-jar", app.toString()), "/bin/false",
				List.of());
		ClassDataSharing sharing = ClassDataSharing.create(new PreforkSettings.Cds(true, cache), commandLine,
				List.of(), app.toString(), FIRST_RETRY);
		sharing.workerSpawned(ENVIRONMENT);
		for (int run = 1; run <= 3; run++) {
			int pid = sharing.helperPid();
			assertThat(pid).as("run " + run).isPositive();
			assertThat(sharing.reaped(pid, reap(pid), ENVIRONMENT)).isTrue();
			sharing.maintain(later(Duration.ofHours(1)), 0, ENVIRONMENT);
		}
		assertThat(sharing.helperPid()).as("no fourth run").isEqualTo(-1);
		sharing.workerSpawned(ENVIRONMENT);
		assertThat(sharing.helperPid()).isEqualTo(-1);
		assertThat(sharing.workerOptions()).isEmpty();
	}

	private Path fakeJava() throws IOException {
		Path java = this.temp.resolve("bin/java");
		Files.createDirectories(java.getParent());
		Files.writeString(java, FAKE_JAVA);
		Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwx------"));
		return java;
	}

	private static long later(Duration delay) {
		return System.nanoTime() + delay.toNanos() + 1;
	}

	private static void awaitFile(Path file) throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
		while (!Files.exists(file)) {
			assertThat(System.nanoTime() - deadline).as("waiting for " + file).isNegative();
			Thread.sleep(10);
		}
	}

	// This test's children only: a zombie of another test is reaped on the way.
	private static int reap(int pid) throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
		while (System.nanoTime() - deadline < 0) {
			Processes.Reaped reaped = Processes.reapOne();
			if (reaped == null) {
				Thread.sleep(10);
			}
			else if (reaped.pid() == pid) {
				return reaped.status();
			}
		}
		throw new AssertionError("pid " + pid + " did not exit");
	}

	private Path jar(String name, String classPath) throws IOException {
		return ManifestJars.write(this.temp, name, classPath);
	}

}
