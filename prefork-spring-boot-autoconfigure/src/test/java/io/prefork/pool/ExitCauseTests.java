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

	@ParameterizedTest
	@EnumSource(ExitCause.class)
	void theDecidedCauseWins(ExitCause decided) {
		assertThat(ExitCause.classify(decided, true)).isEqualTo(decided);
		assertThat(ExitCause.classify(decided, false)).isEqualTo(decided);
	}

	@Test
	void anUndecidedExitOfAWorkerThatWasReadyIsACrash() {
		assertThat(ExitCause.classify(null, true)).isEqualTo(ExitCause.CRASH);
	}

	@Test
	void anUndecidedExitOfAWorkerNeverReadyIsABootFailure() {
		assertThat(ExitCause.classify(null, false)).isEqualTo(ExitCause.BOOT_FAILURE);
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
	@ValueSource(strings = { "boot-failure", "crash", "timeout", "request-timeout", "recycled", "rss", "scaled-down",
			"shutdown" })
	void knowsTheTagsUsedInLogsAndMetrics(String tag) {
		assertThat(ExitCause.values()).extracting(ExitCause::tag).contains(tag);
	}

}
