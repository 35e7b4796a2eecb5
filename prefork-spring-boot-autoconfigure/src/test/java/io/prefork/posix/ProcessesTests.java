package io.prefork.posix;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ProcessesTests {

	@Test
	void theOpenFilesLimitIsRaisedAtMostToTheHardLimit() throws Exception {
		long hard = hardLimit();
		assertThat(Processes.raiseOpenFilesLimit(16)).as("a limit already high enough stays").isGreaterThanOrEqualTo(16);
		assertThat(Processes.raiseOpenFilesLimit(Long.MAX_VALUE)).isEqualTo(hard);
	}

	// The kernel's own account of this process's limits.
	private static long hardLimit() throws Exception {
		String line = Files.readAllLines(Path.of("/proc/self/limits"))
			.stream()
			.filter((limit) -> limit.startsWith("Max open files"))
			.findFirst()
			.orElseThrow();
		String hard = line.trim().split("\\s+")[4];
		return "unlimited".equals(hard) ? -1 : Long.parseLong(hard);
	}

}
