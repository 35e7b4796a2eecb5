package io.prefork.master;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.prefork.PreforkSettings;

import static org.assertj.core.api.Assertions.assertThat;

class WorkerJvmOptionsTests {

	private static final List<String> DEFAULTS = List.of("-XX:+UseSerialGC", "-Xss512k", "-Xms64m",
			"-XX:+ExitOnOutOfMemoryError");

	@Test
	void givesSmallJvmDefaultsWhenNothingIsSet() {
		assertThat(WorkerJvmOptions.of(worker(List.of(), true, 0), List.of(), false)).isEqualTo(DEFAULTS);
	}

	@Test
	void givesNoDefaultsWhenTheyAreTurnedOff() {
		assertThat(WorkerJvmOptions.of(worker(List.of("-Xss1m"), false, 0), List.of(), false)).containsExactly("-Xss1m");
	}

	@Test
	void leavesOutTheDefaultOfAKindTheUserSetsInJvmOptions() {
		assertThat(WorkerJvmOptions.of(worker(List.of("-XX:+UseG1GC", "-XX:ThreadStackSize=256"), true, 0), List.of(), false))
			.containsExactly("-Xms64m", "-XX:+ExitOnOutOfMemoryError", "-XX:+UseG1GC", "-XX:ThreadStackSize=256");
	}

	@Test
	void leavesOutTheDefaultOfAKindTheMasterOrTheEnvironmentSets() {
		// A second collector would stop the JVM ("multiple garbage collectors selected").
		assertThat(WorkerJvmOptions.of(worker(List.of(), true, 0), List.of("-XX:+UseParallelGC", "-Xss2m"), false))
			.containsExactly("-Xms64m", "-XX:+ExitOnOutOfMemoryError");
		assertThat(WorkerJvmOptions.of(worker(List.of(), true, 0), List.of("-XX:InitialRAMPercentage=5"), false))
			.containsExactly("-XX:+UseSerialGC", "-Xss512k", "-XX:+ExitOnOutOfMemoryError");
	}

	@Test
	void putsTheMaxHeapBeforeTheUsersOptionsSoTheyWin() {
		assertThat(WorkerJvmOptions.of(worker(List.of("-Xmx1g"), false, 256L << 20), List.of(), false))
			.containsExactly("-Xmx262144k", "-Xmx1g");
	}

	@Test
	void neverSetsAnInitialHeapAboveTheMaximum() {
		assertThat(WorkerJvmOptions.of(worker(List.of(), true, 32L << 20), List.of(), false)).containsExactly("-Xmx32768k",
				"-XX:+UseSerialGC", "-Xss512k", "-XX:+ExitOnOutOfMemoryError");
		assertThat(WorkerJvmOptions.of(worker(List.of(), true, 0), List.of("-Xmx48m"), false)).containsExactly(
				"-XX:+UseSerialGC", "-Xss512k", "-XX:+ExitOnOutOfMemoryError");
		assertThat(WorkerJvmOptions.of(worker(List.of("-XX:MaxRAMPercentage=10"), true, 0), List.of(), false))
			.containsExactly("-XX:+UseSerialGC", "-Xss512k", "-XX:+ExitOnOutOfMemoryError", "-XX:MaxRAMPercentage=10");
		assertThat(WorkerJvmOptions.of(worker(List.of(), true, 0), List.of("-Xmx2g"), false)).isEqualTo(DEFAULTS);
	}

	@Test
	void theLastMaxHeapCounts() {
		// The master runs with -Xmx32m, but workers get 1g: room for the initial heap.
		assertThat(WorkerJvmOptions.of(worker(List.of("-Xmx1g"), true, 0), List.of("-Xmx32m"), false)).containsExactly(
				"-XX:+UseSerialGC", "-Xss512k", "-Xms64m", "-XX:+ExitOnOutOfMemoryError", "-Xmx1g");
	}

	@Test
	void leavesOutExitOnOutOfMemoryWhenTheUserSaysWhatHappensOnOutOfMemory() {
		assertThat(WorkerJvmOptions.of(worker(List.of("-XX:+HeapDumpOnOutOfMemoryError",
				"-XX:OnOutOfMemoryError=kill -3 %p"), true, 0), List.of(), false)).doesNotContain("-XX:+ExitOnOutOfMemoryError");
		assertThat(WorkerJvmOptions.of(worker(List.of(), true, 0), List.of("-XX:-ExitOnOutOfMemoryError"), false))
			.doesNotContain("-XX:+ExitOnOutOfMemoryError");
	}

	@Test
	void trimsTheNativeHeapWhereTheJvmKnowsHowAndNobodySaidOtherwise() {
		assertThat(WorkerJvmOptions.of(worker(List.of(), true, 0), List.of(), true))
			.containsExactly("-XX:+UseSerialGC", "-Xss512k", "-Xms64m", "-XX:+ExitOnOutOfMemoryError",
					"-XX:TrimNativeHeapInterval=10000");
		assertThat(WorkerJvmOptions.of(worker(List.of("-XX:TrimNativeHeapInterval=0"), true, 0), List.of(), true))
			.containsOnlyOnce("-XX:TrimNativeHeapInterval=0")
			.doesNotContain("-XX:TrimNativeHeapInterval=10000");
		assertThat(WorkerJvmOptions.of(worker(List.of(), false, 0), List.of(), true)).isEmpty();
	}

	private static PreforkSettings.Worker worker(List<String> jvmOptions, boolean defaults, long maxHeap) {
		return new PreforkSettings.Worker(50, 1000, jvmOptions, 0, 0, 0, null, defaults, maxHeap,
				new PreforkSettings.Cds(false, Path.of("/tmp")), new PreforkSettings.Container(true, 0, 140L << 20),
				PreforkSettings.Warmup.NONE);
	}

}
