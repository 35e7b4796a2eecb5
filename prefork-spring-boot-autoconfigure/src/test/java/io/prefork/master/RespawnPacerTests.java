package io.prefork.master;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.prefork.PreforkException;
import io.prefork.pool.ExitCause;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class RespawnPacerTests {

	private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

	private final RespawnPacer pacer = new RespawnPacer();

	private final long now = 1_000 * SECOND;

	@Test
	void killedStartingWorkersAreReplacedAtOnceTwiceThenPaced() {
		assertThat(this.pacer.startFailed(ExitCause.KILLED, this.now)).isZero();
		assertThat(this.pacer.startFailed(ExitCause.KILLED, this.now)).isZero();
		assertThat(this.pacer.startsAllowed(2, 1, 0, this.now)).isEqualTo(2);
		assertThat(this.pacer.startFailed(ExitCause.KILLED, this.now)).hasSeconds(1);
		assertThat(this.pacer.startsAllowed(2, 1, 0, this.now)).isZero();
		assertThat(this.pacer.startsAllowed(2, 1, 0, this.now + SECOND)).isEqualTo(2);
	}

	@Test
	void killsNeverMakeTheServerGiveUp() {
		for (int i = 0; i < 10; i++) {
			this.pacer.startFailed(ExitCause.KILLED, this.now);
		}
		assertThatNoException().isThrownBy(this.pacer::checkApplicationCanStart);
		assertThat(this.pacer.consecutiveBootFailures()).isZero();
	}

	@Test
	void workersFailingOnTheirOwnBackOffAndThreeInARowStopTheServer() {
		assertThat(this.pacer.startFailed(ExitCause.BOOT_FAILURE, this.now)).hasSeconds(1);
		assertThat(this.pacer.startFailed(ExitCause.TIMEOUT, this.now)).hasSeconds(2);
		assertThatNoException().isThrownBy(this.pacer::checkApplicationCanStart);
		this.pacer.startFailed(ExitCause.BOOT_FAILURE, this.now);
		assertThatExceptionOfType(PreforkException.class).isThrownBy(this.pacer::checkApplicationCanStart)
			.withMessageContaining("No worker could start: 3 workers in a row");
	}

	@Test
	void backingOffNeverLeavesThePoolEmptyWithNothingStarting() {
		this.pacer.startFailed(ExitCause.BOOT_FAILURE, this.now);
		assertThat(this.pacer.startsAllowed(3, 1, 0, this.now)).as("others serve").isZero();
		assertThat(this.pacer.startsAllowed(3, 0, 1, this.now)).as("one is starting").isZero();
		assertThat(this.pacer.startsAllowed(3, 0, 0, this.now)).as("empty and idle").isEqualTo(1);
		assertThat(this.pacer.replacementsAllowed(this.now)).isFalse();
	}

	@Test
	void aWorkerReadyEndsTheStreaksAndTheApplicationIsNeverGivenUpOnAgain() {
		this.pacer.startFailed(ExitCause.BOOT_FAILURE, this.now);
		this.pacer.startFailed(ExitCause.BOOT_FAILURE, this.now);
		this.pacer.workerReady(this.now);
		assertThat(this.pacer.consecutiveBootFailures()).isZero();
		for (int i = 0; i < 5; i++) {
			this.pacer.startFailed(ExitCause.BOOT_FAILURE, this.now);
		}
		assertThatNoException().isThrownBy(this.pacer::checkApplicationCanStart);
	}

	@Test
	void aWorkerReadyLetsTheRestOfThePoolStartAtOnce() {
		for (int i = 0; i < 5; i++) {
			this.pacer.startFailed(ExitCause.KILLED, this.now);
		}
		assertThat(this.pacer.startsAllowed(2, 0, 1, this.now + SECOND)).isZero();
		this.pacer.workerReady(this.now + SECOND);
		assertThat(this.pacer.startsAllowed(2, 1, 0, this.now + SECOND)).isEqualTo(2);
		assertThat(this.pacer.replacementsAllowed(this.now + SECOND)).isTrue();
	}

	@Test
	void aFailedSpawnWaitsEvenForAnEmptyPool() {
		this.pacer.spawnFailed(this.now, false);
		assertThat(this.pacer.startsAllowed(2, 0, 0, this.now)).isZero();
		assertThat(this.pacer.startsAllowed(2, 0, 0, this.now + SECOND)).isEqualTo(2);
		assertThat(this.pacer.nextDeadline(this.now + 10 * SECOND, this.now)).isEqualTo(this.now + SECOND);
	}

}
