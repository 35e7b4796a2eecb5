package io.prefork.master;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MasterJvmOptionsTests {

	private static final List<String> DEFAULTS = List.of("-Xmx64m", "-Xms8m", "-XX:+UseSerialGC",
			"-XX:TieredStopAtLevel=1", "-XX:CompileThresholdScaling=10", "-XX:MinHeapFreeRatio=10",
			"-XX:MaxHeapFreeRatio=20", "-XX:ReservedCodeCacheSize=32m", "-Xss512k",
			"-Dspring.backgroundpreinitializer.ignore=true");

	@Test
	void givesEveryDefaultWhenNothingIsSet() {
		assertThat(MasterJvmOptions.of(List.of(), List.of(), false)).isEqualTo(DEFAULTS);
	}

	@Test
	void leavesOutTheDefaultsOfTheKindsTheCommandLineOrEnvironmentSets() {
		assertThat(MasterJvmOptions.of(List.of("-XX:MaxRAMPercentage=10", "-XX:+UseG1GC", "-XX:CICompilerCount=2",
				"-XX:ThreadStackSize=1024", "-Dspring.backgroundpreinitializer.ignore=false",
				"-XX:Tier3InvocationThreshold=100", "-XX:MaxHeapFreeRatio=5"), List.of(), false))
			.containsExactly("-XX:ReservedCodeCacheSize=32m");
	}

	@Test
	void neverAddsAnInitialHeapNextToAMaximumTheUserChose() {
		// -Xms8m next to a user's -Xmx4m would stop the JVM.
		assertThat(MasterJvmOptions.of(List.of("-Xmx4m"), List.of(), false)).doesNotContain("-Xms8m", "-Xmx64m");
	}

	@Test
	void neverAddsOneHeapFreeRatioNextToTheOtherOneTheUserChose() {
		// -XX:MinHeapFreeRatio=10 next to a user's -XX:MaxHeapFreeRatio=5 would stop the JVM.
		assertThat(MasterJvmOptions.of(List.of(), List.of("-XX:MaxHeapFreeRatio=5"), false))
			.doesNotContain("-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=20");
	}

	@Test
	void putsTheUsersMasterOptionsLastAndLetsThemReplaceDefaults() {
		assertThat(MasterJvmOptions.of(List.of(), List.of("-Xmx128m", "-XX:-TieredCompilation"), false))
			.containsExactly("-XX:+UseSerialGC", "-XX:CompileThresholdScaling=10", "-XX:MinHeapFreeRatio=10",
					"-XX:MaxHeapFreeRatio=20", "-XX:ReservedCodeCacheSize=32m", "-Xss512k",
					"-Dspring.backgroundpreinitializer.ignore=true", "-Xmx128m", "-XX:-TieredCompilation");
	}

	@Test
	void trimsTheNativeHeapWhereTheJvmKnowsHowUnlessAnIntervalIsSet() {
		assertThat(MasterJvmOptions.of(List.of(), List.of(), true)).last().isEqualTo("-XX:TrimNativeHeapInterval=10000");
		assertThat(MasterJvmOptions.of(List.of(), List.of(), false)).noneMatch((option) -> option.contains("Trim"));
		assertThat(MasterJvmOptions.of(List.of("-XX:TrimNativeHeapInterval=500"), List.of(), true))
			.noneMatch((option) -> option.contains("Trim"));
	}

}
