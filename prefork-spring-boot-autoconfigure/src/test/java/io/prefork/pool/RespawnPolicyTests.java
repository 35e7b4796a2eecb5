package io.prefork.pool;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RespawnPolicyTests {

	@Test
	void delayDoublesFromOneSecondUpToThirty() {
		List<Long> seconds = IntStream.rangeClosed(0, 7)
			.mapToObj((failures) -> RespawnPolicy.respawnDelay(failures).toSeconds())
			.toList();
		assertThat(seconds).containsExactly(0L, 1L, 2L, 4L, 8L, 16L, 30L, 30L);
	}

	@Test
	void delayStaysAtThirtySecondsForLongFailureStreaks() {
		assertThat(RespawnPolicy.respawnDelay(100)).isEqualTo(Duration.ofSeconds(30));
		assertThat(RespawnPolicy.respawnDelay(Integer.MAX_VALUE)).isEqualTo(Duration.ofSeconds(30));
	}

	@Test
	void noDelayWithoutFailures() {
		assertThat(RespawnPolicy.respawnDelay(0)).isZero();
		assertThat(RespawnPolicy.respawnDelay(-1)).isZero();
	}

	@Test
	void givesUpAfterThreeBootFailuresWhenNoWorkerWasEverReady() {
		assertThat(RespawnPolicy.shouldGiveUp(2, false)).isFalse();
		assertThat(RespawnPolicy.shouldGiveUp(3, false)).isTrue();
		assertThat(RespawnPolicy.shouldGiveUp(10, false)).isTrue();
	}

	@Test
	void neverGivesUpOnceAWorkerWasReady() {
		assertThat(RespawnPolicy.shouldGiveUp(3, true)).isFalse();
		assertThat(RespawnPolicy.shouldGiveUp(1000, true)).isFalse();
	}

}
