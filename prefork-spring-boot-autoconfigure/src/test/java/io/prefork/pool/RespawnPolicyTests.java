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

	@Test
	void killedStartingWorkersAreReplacedAtOnceThenPaced() {
		List<Long> seconds = IntStream.rangeClosed(0, 9)
			.mapToObj((kills) -> RespawnPolicy.killedDelay(kills).toSeconds())
			.toList();
		assertThat(seconds).containsExactly(0L, 0L, 0L, 1L, 2L, 4L, 8L, 8L, 8L, 8L);
		assertThat(RespawnPolicy.killedDelay(Integer.MAX_VALUE)).isEqualTo(Duration.ofSeconds(8));
	}

	@Test
	void anEmptyPoolWithNothingStartingStartsOneWhateverTheBackOff() {
		assertThat(RespawnPolicy.mustStartNow(0, 0)).isTrue();
		assertThat(RespawnPolicy.mustStartNow(0, 1)).isFalse();
		assertThat(RespawnPolicy.mustStartNow(1, 0)).isFalse();
	}

}
