package io.prefork.sample;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The master re-executes itself, keeping its pid, as a small JVM; workers get the command
 * line as it was started; {@code server.prefork.master.lean=false} keeps the JVM as started.
 */
class LeanMasterIT {

	/** A sanity bound only: the memory target lives in the benchmark. */
	private static final long GENEROUS_RSS_BYTES = 200L * 1024 * 1024;

	@Test
	void theMasterReexecutesItselfWithLeanOptionsUnderTheSamePidAndServes() throws IOException {
		try (PreforkServer server = PreforkServer.start(List.of("-Xss1m"),
				"--server.prefork.master.jvm-options=-Dlean.marker=yes", "--server.prefork.timeouts.boot=180s")) {
			server.awaitWorkersReady(2);
			assertThat(RawHttp.getOnce(server.port(), "/hello").status()).isEqualTo(200);
			List<String> master = commandLine(server.pid());
			// Our defaults, except the kind the user set (-Xss1m), then the user's master options.
			assertThat(master).containsSubsequence("-Xss1m", "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
					"-XX:CompileThresholdScaling=10", "-XX:MaxHeapFreeRatio=20",
					"-Dspring.backgroundpreinitializer.ignore=true", "-Dlean.marker=yes", "-jar");
			assertThat(master).doesNotContain("-Xss512k");
			assertThat(server.output()).contains("Lean master JVM (server.prefork.master.lean)")
				.contains("Prefork master pid " + server.pid() + " listening");
			assertThat(environment(server.pid())).contains("_JAVA_SR_SIGNUM=39", "MALLOC_ARENA_MAX=2");
			for (long worker : server.workerPids()) {
				List<String> workerCommandLine = commandLine(worker);
				assertThat(workerCommandLine.subList(1, 3)).as("worker %d", worker)
					.containsExactly("-Xss1m", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED");
				assertThat(workerCommandLine).as("worker %d", worker)
					.doesNotContain("-Xmx64m", "-XX:ReservedCodeCacheSize=32m", "-XX:CompileThresholdScaling=10",
							"-Dlean.marker=yes", "-Dspring.backgroundpreinitializer.ignore=true");
				assertThat(environment(worker)).contains("_JAVA_SR_SIGNUM=39")
					.noneMatch((variable) -> variable.startsWith("PREFORK_LEAN_MASTER="))
					.noneMatch((variable) -> variable.startsWith("MALLOC_ARENA_MAX="));
			}
			assertThat(residentBytes(server.pid())).isBetween(1L, GENEROUS_RSS_BYTES);
		}
	}

	@Test
	void leanFalseKeepsTheJvmAsStarted() throws IOException {
		List<String> jvm = List.of("-XX:+UseSerialGC", "-Xmx128m");
		try (PreforkServer server = PreforkServer.start(jvm, "--server.prefork.master.lean=false",
				"--server.prefork.timeouts.boot=180s")) {
			server.awaitWorkersReady(2);
			assertThat(RawHttp.getOnce(server.port(), "/hello").status()).isEqualTo(200);
			assertThat(commandLine(server.pid()).subList(1, 4)).containsExactly("-XX:+UseSerialGC", "-Xmx128m", "-jar");
			assertThat(environment(server.pid())).noneMatch((variable) -> variable.startsWith("PREFORK_LEAN_MASTER="));
			assertThat(server.output()).doesNotContain("Lean master JVM");
		}
	}

	private static List<String> commandLine(long pid) throws IOException {
		return split(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")));
	}

	private static List<String> environment(long pid) throws IOException {
		return split(Files.readAllBytes(Path.of("/proc/" + pid + "/environ")));
	}

	private static List<String> split(byte[] nulSeparated) {
		return Arrays.asList(new String(nulSeparated, StandardCharsets.UTF_8).split("\0"));
	}

	private static long residentBytes(long pid) throws IOException {
		for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
			if (line.startsWith("VmRSS:")) {
				return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
			}
		}
		return 0;
	}

}
