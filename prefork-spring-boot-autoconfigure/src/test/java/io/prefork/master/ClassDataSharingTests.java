package io.prefork.master;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.prefork.PreforkSettings;

import static org.assertj.core.api.Assertions.assertThat;

class ClassDataSharingTests {

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

	private Path jar(String name, String classPath) throws IOException {
		return ManifestJars.write(this.temp, name, classPath);
	}

}
