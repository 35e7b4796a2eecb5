package io.prefork.worker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class PoolLoggerLevelsTests {

	@TempDir
	Path directory;

	@Test
	void keepsTheLevelsSetAndForgetsAReset() throws IOException {
		PoolLoggerLevels levels = new PoolLoggerLevels(this.directory);
		assertThat(levels.read()).isEmpty();
		levels.record("io.prefork", "DEBUG");
		levels.record("web", "TRACE");
		levels.record("io.prefork", "WARN");
		assertThat(new PoolLoggerLevels(this.directory).read()).isEqualTo(Map.of("io.prefork", "WARN", "web", "TRACE"));
		levels.record("web", null);
		assertThat(levels.read()).isEqualTo(Map.of("io.prefork", "WARN"));
		try (var files = Files.list(this.directory)) {
			assertThat(files.map((file) -> file.getFileName().toString())).doesNotContain("logger-levels.properties.partial");
		}
	}

}
