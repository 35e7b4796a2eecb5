package io.prefork.pool;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class ExitCauseTests {

	private static final ExitStatus EXIT_1 = new ExitStatus(1, 0);

	private static final ExitStatus KILLED_BY_SIGKILL = new ExitStatus(-1, 9);

	@ParameterizedTest
	@EnumSource(ExitCause.class)
	void theDecidedCauseWins(ExitCause decided) {
		assertThat(ExitCause.classify(decided, true, KILLED_BY_SIGKILL)).isEqualTo(decided);
		assertThat(ExitCause.classify(decided, false, EXIT_1)).isEqualTo(decided);
	}

	@Test
	void anUndecidedExitOfAWorkerThatWasReadyIsACrash() {
		assertThat(ExitCause.classify(null, true, EXIT_1)).isEqualTo(ExitCause.CRASH);
		assertThat(ExitCause.classify(null, true, new ExitStatus(-1, 6))).isEqualTo(ExitCause.CRASH);
	}

	@Test
	void theJvmsOutOfMemoryExitOfAWorkerThatWasReadyIsOutOfMemory() {
		ExitStatus exit3 = new ExitStatus(3, 0);
		assertThat(exit3.outOfMemoryExit()).isTrue();
		assertThat(ExitCause.classify(null, true, exit3)).isEqualTo(ExitCause.OUT_OF_MEMORY);
		assertThat(exit3.describe()).isEqualTo("exited with code 3 (out of heap memory)");
	}

	@Test
	void anOutOfMemoryExitWhileStartingIsABootFailure() {
		assertThat(ExitCause.classify(null, false, new ExitStatus(3, 0))).isEqualTo(ExitCause.BOOT_FAILURE);
	}

	@Test
	void anUndecidedKillFromOutsideIsAKillWhetherReadyOrNot() {
		assertThat(ExitCause.classify(null, true, KILLED_BY_SIGKILL)).isEqualTo(ExitCause.KILLED);
		assertThat(ExitCause.classify(null, false, KILLED_BY_SIGKILL)).isEqualTo(ExitCause.KILLED);
		assertThat(ExitCause.classify(null, false, new ExitStatus(143, 0))).isEqualTo(ExitCause.KILLED);
	}

	@Test
	void onlyABootFailureJudgesTheApplication() {
		assertThat(Arrays.stream(ExitCause.values()).filter(ExitCause::judgesTheApplication))
			.containsExactly(ExitCause.BOOT_FAILURE);
	}

	@Test
	void anUndecidedExitOfAWorkerNeverReadyIsABootFailure() {
		assertThat(ExitCause.classify(null, false, EXIT_1)).isEqualTo(ExitCause.BOOT_FAILURE);
	}

	@ParameterizedTest
	@EnumSource(ExitCause.class)
	void tagIsTheKebabCaseName(ExitCause cause) {
		assertThat(cause.tag()).matches("[a-z]+(-[a-z]+)*");
		assertThat(cause.tag()).isEqualTo(cause.name().toLowerCase(Locale.ROOT).replace('_', '-'));
	}

	@Test
	void tagsAreUnique() {
		List<String> tags = Arrays.stream(ExitCause.values()).map(ExitCause::tag).toList();
		assertThat(tags).doesNotHaveDuplicates();
	}

	@ParameterizedTest
	@ValueSource(strings = { "boot-failure", "crash", "killed", "timeout", "request-timeout", "recycled", "rss", "scaled-down",
			"shutdown", "out-of-memory" })
	void knowsTheTagsUsedInLogsAndMetrics(String tag) {
		assertThat(ExitCause.values()).extracting(ExitCause::tag).contains(tag);
	}

}
