package io.prefork.master;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pace of the master's looks for exited children.
 */
class ReapPacerTests {

	private static final long INTERVAL = ReapPacer.INTERVAL_NANOS;

	private static final long NEVER = Long.MAX_VALUE;

	@Test
	void looksOnTheFirstTurnThenAtMostOncePerInterval() {
		long start = -5_000_000_000L;
		ReapPacer pacer = new ReapPacer(start);
		assertThat(pacer.due(start)).isTrue();
		assertThat(pacer.due(start + INTERVAL - 1)).isFalse();
		assertThat(pacer.due(start + INTERVAL)).isTrue();
	}

	@Test
	void aSkippedLookWakesTheLoopWhenItIsDueAndOnlyThen() {
		ReapPacer pacer = new ReapPacer(0);
		assertThat(pacer.due(0)).isTrue();
		assertThat(pacer.nextDeadline(NEVER)).as("nothing owed after a look").isEqualTo(NEVER);
		assertThat(pacer.due(3)).isFalse();
		assertThat(pacer.nextDeadline(NEVER)).isEqualTo(INTERVAL);
		assertThat(pacer.nextDeadline(5)).as("an earlier deadline stays").isEqualTo(5);
		assertThat(pacer.due(INTERVAL)).isTrue();
		assertThat(pacer.nextDeadline(NEVER)).isEqualTo(NEVER);
	}

}
