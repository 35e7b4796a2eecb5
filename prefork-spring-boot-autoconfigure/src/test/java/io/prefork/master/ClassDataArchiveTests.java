package io.prefork.master;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

class ClassDataArchiveTests {

	private static final String JVM = "/usr/lib/jvm/17 17.0.15+6";

	private static final List<String> OPTIONS = List.of("/usr/bin/java", "-Xss512k");

	@TempDir
	Path temp;

	@Test
	void isNamedForTheJvmTheOptionsAndTheClassPath() throws IOException {
		Path app = jar("app.jar", "lib/a.jar");
		Path lib = jar("lib/a.jar", null);
		Path cache = this.temp.resolve("cache");
		String name = ClassDataArchive.of(cache, JVM, OPTIONS, app.toString()).file().getFileName().toString();
		assertThat(name).matches("prefork-[0-9a-f]{12}-[0-9a-f]{12}\\.jsa");
		assertThat(ClassDataArchive.of(cache, JVM, OPTIONS, app.toString()).file().getFileName().toString())
			.isEqualTo(name);
		assertThat(nameOf(cache, "/usr/lib/jvm/17 17.0.16+8", OPTIONS, app)).isNotEqualTo(name);
		assertThat(nameOf(cache, JVM, List.of("/usr/bin/java", "-Xss1m"), app)).isNotEqualTo(name);
		// System properties and agents do not matter to an archive.
		assertThat(nameOf(cache, JVM, List.of("/usr/bin/java", "-Xss512k", "-Dx=1", "-javaagent:a.jar=9"), app))
			.isEqualTo(name);
		// Nor do heap sizes, which a container's memory plan sets per pod size.
		assertThat(nameOf(cache, JVM, List.of("/usr/bin/java", "-Xmx48m", "-Xss512k", "-Xms64m", "-Xmx70656k"), app))
			.isEqualTo(name);
		// A training workload is part of the name; none keeps the name archives had before.
		String warmedUp = ClassDataArchive.of(cache, JVM, OPTIONS, app.toString(), "warm-up 200 [/hello]")
			.file()
			.getFileName()
			.toString();
		assertThat(warmedUp).isNotEqualTo(name);
		assertThat(warmedUp.substring(0, 21)).as("same application").isEqualTo(name.substring(0, 21));
		assertThat(ClassDataArchive.of(cache, JVM, OPTIONS, app.toString(), "").file().getFileName().toString())
			.isEqualTo(name);
		// A rebuilt library, referenced by the jar's manifest only, makes it stale.
		Files.setLastModifiedTime(lib, FileTime.fromMillis(Files.getLastModifiedTime(lib).toMillis() - 5000));
		String rebuilt = nameOf(cache, JVM, OPTIONS, app);
		assertThat(rebuilt).isNotEqualTo(name);
		assertThat(rebuilt.substring(0, 21)).as("same application").isEqualTo(name.substring(0, 21));
	}

	@Test
	void isVerifiedOnlyOncePublishedAndUnchanged() throws IOException {
		ClassDataArchive archive = archive();
		archive.prepareDirectory();
		assertThat(archive.isVerified()).isFalse();
		Files.write(archive.trainingFile(), new byte[100_000]);
		archive.publish(archive.trainingFile());
		assertThat(archive.trainingFile()).doesNotExist();
		assertThat(archive.isVerified()).isTrue();
		try (OutputStream out = Files.newOutputStream(archive.file())) {
			out.write(new byte[1000]);
		}
		assertThat(archive.isVerified()).as("truncated").isFalse();
	}

	@Test
	void publishingDeletesTheArchivesItSupersedes() throws IOException {
		Path app = jar("app.jar", null);
		Path cache = this.temp.resolve("cache");
		ClassDataArchive old = ClassDataArchive.of(cache, JVM, OPTIONS, app.toString());
		old.prepareDirectory();
		Files.write(old.trainingFile(), new byte[10]);
		old.publish(old.trainingFile());
		Path other = Files.writeString(cache.resolve("prefork-000000000000-111111111111.jsa"), "another app");
		Files.setLastModifiedTime(app, FileTime.fromMillis(12345000));
		ClassDataArchive current = ClassDataArchive.of(cache, JVM, OPTIONS, app.toString());
		Files.write(current.trainingFile(), new byte[10]);
		current.publish(current.trainingFile());
		assertThat(old.file()).doesNotExist();
		assertThat(old.isVerified()).isFalse();
		assertThat(current.isVerified()).isTrue();
		assertThat(other).exists();
	}

	@Test
	void deletesTheTemporaryFilesOfItsTraining() throws IOException {
		ClassDataArchive archive = archive();
		archive.prepareDirectory();
		Files.write(archive.trainingFile(), new byte[10]);
		archive.deleteTemporaryFiles();
		assertThat(archive.trainingFile()).doesNotExist();
		assertThat(archive.file().getParent()).isEmptyDirectory();
	}

	@Test
	void tidyingDeletesTemporaryFilesOfMastersThatAreGoneOrLongStale() throws IOException {
		ClassDataArchive archive = archive();
		archive.prepareDirectory();
		Path cache = archive.file().getParent();
		Path ours = Files.write(archive.trainingFile(), new byte[10]);
		long gone = 999_999_999L;
		Path deadMasters = Files.writeString(cache.resolve("prefork-000000000000-111111111111.jsa." + gone + ".tmp"), "");
		Path deadMarker = Files.writeString(cache.resolve("prefork-000000000000-111111111111.jsa.ok." + gone + ".tmp"),
				"");
		Path stale = Files.writeString(cache.resolve("prefork-000000000000-222222222222.jsa."
				+ ProcessHandle.current().pid() + ".tmp"), "");
		Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minus(Duration.ofHours(2))));
		Path notOurs = Files.writeString(cache.resolve("prefork-notes.tmp"), "");
		assertThat(archive.tidy(Instant.now())).containsExactlyInAnyOrder(deadMasters, deadMarker, stale);
		assertThat(ours).as("a training run of a live master").exists();
		assertThat(notOurs).exists();
	}

	@Test
	void tidyingKeepsTheCurrentArchiveAndDeletesOthersUnusedForThirtyDays() throws IOException {
		ClassDataArchive current = archive();
		current.prepareDirectory();
		Files.write(current.trainingFile(), new byte[10]);
		current.publish(current.trainingFile());
		Path cache = current.file().getParent();
		Instant now = Instant.now();
		List<Path> unused = otherArchive(cache, "333333333333", now.minus(Duration.ofDays(40)));
		List<Path> recent = otherArchive(cache, "444444444444", now.minus(Duration.ofDays(3)));
		age(current.file(), now.minus(Duration.ofDays(100)));
		age(cache.resolve(current.file().getFileName() + ".ok"), now.minus(Duration.ofDays(100)));
		assertThat(current.tidy(now)).containsExactlyInAnyOrderElementsOf(unused);
		assertThat(current.isVerified()).isTrue();
		assertThat(recent).allSatisfy((file) -> assertThat(file).exists());
	}

	@Test
	void anArchiveIsUsedWhenAWorkerStartsFromIt() throws IOException {
		ClassDataArchive current = archive();
		current.prepareDirectory();
		Files.write(current.trainingFile(), new byte[10]);
		current.publish(current.trainingFile());
		Path marker = current.file().resolveSibling(current.file().getFileName() + ".ok");
		age(marker, Instant.now().minus(Duration.ofDays(100)));
		current.markUsed();
		assertThat(Files.getLastModifiedTime(marker).toInstant()).isAfter(Instant.now().minus(Duration.ofMinutes(1)));
		assertThat(current.isVerified()).isTrue();
	}

	@Test
	void tidyingKeepsFiveArchivesTheMostRecentlyUsed() throws IOException {
		ClassDataArchive current = archive();
		current.prepareDirectory();
		Path cache = current.file().getParent();
		Instant now = Instant.now();
		for (int day = 1; day <= 6; day++) {
			otherArchive(cache, "55555555555" + day, now.minus(Duration.ofDays(day)));
		}
		assertThat(current.tidy(now)).extracting((file) -> file.getFileName().toString())
			.containsExactlyInAnyOrder("prefork-000000000000-555555555555.jsa",
					"prefork-000000000000-555555555555.jsa.ok", "prefork-000000000000-555555555555.log",
					"prefork-000000000000-555555555556.jsa", "prefork-000000000000-555555555556.jsa.ok",
					"prefork-000000000000-555555555556.log");
	}

	private static List<Path> otherArchive(Path cache, String key, Instant lastUsed) throws IOException {
		String stem = "prefork-000000000000-" + key;
		List<Path> files = List.of(cache.resolve(stem + ".jsa"), cache.resolve(stem + ".jsa.ok"),
				cache.resolve(stem + ".log"));
		for (Path file : files) {
			Files.writeString(file, "x");
			age(file, lastUsed);
		}
		return files;
	}

	private static void age(Path file, Instant modified) throws IOException {
		Files.setLastModifiedTime(file, FileTime.from(modified));
	}

	@Test
	void createsAPrivateDirectoryAndRefusesOneOthersMayWrite() throws IOException {
		ClassDataArchive archive = archive();
		archive.prepareDirectory();
		Path cache = archive.file().getParent();
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(cache))).isEqualTo("rwx------");
		Files.setPosixFilePermissions(cache, PosixFilePermissions.fromString("rwxrwxrwx"));
		assertThatIOException().isThrownBy(archive::prepareDirectory).withMessageContaining("may be written by others");
	}

	private ClassDataArchive archive() throws IOException {
		return ClassDataArchive.of(this.temp.resolve("cache"), JVM, OPTIONS, jar("app.jar", null).toString());
	}

	private static String nameOf(Path cache, String jvm, List<String> options, Path app) {
		return ClassDataArchive.of(cache, jvm, options, app.toString()).file().getFileName().toString();
	}

	private Path jar(String name, String classPath) throws IOException {
		return ManifestJars.write(this.temp, name, classPath);
	}

}
