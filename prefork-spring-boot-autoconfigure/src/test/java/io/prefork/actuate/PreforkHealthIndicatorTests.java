package io.prefork.actuate;

import java.io.IOException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;

import io.prefork.scoreboard.PoolCounter;
import io.prefork.scoreboard.Scoreboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

class PreforkHealthIndicatorTests {

	private Scoreboard scoreboard;

	private PreforkHealthIndicator indicator;

	@BeforeEach
	void create() throws IOException {
		this.scoreboard = Scoreboard.create(4);
		this.scoreboard.pool().set(PoolCounter.TARGET_WORKERS, 2);
		this.indicator = new PreforkHealthIndicator(this.scoreboard::snapshot);
	}

	@AfterEach
	void close() {
		this.scoreboard.close();
	}

	@Test
	void upWithAnIdleWorker() {
		worker(0, 101, "idle");
		worker(1, 102, "starting");
		Health health = this.indicator.health();
		assertThat(health.getStatus()).isEqualTo(Status.UP);
		assertThat(health.getDetails()).containsOnly(entry("servingWorkers", 1L), entry("targetWorkers", 2L),
				entry("consecutiveBootFailures", 0L));
	}

	@Test
	void upWithABusyWorker() {
		worker(2, 103, "busy");
		assertThat(this.indicator.health().getStatus()).isEqualTo(Status.UP);
	}

	@Test
	void countsEveryServingWorker() {
		worker(0, 101, "idle");
		worker(1, 102, "busy");
		worker(2, 103, "stopping");
		assertThat(this.indicator.health().getDetails()).containsEntry("servingWorkers", 2L);
	}

	@Test
	void outOfServiceWithOnlyStartingWorkers() {
		worker(0, 101, "starting");
		worker(1, 102, "starting");
		Health health = this.indicator.health();
		assertThat(health.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
		assertThat(health.getDetails()).containsEntry("servingWorkers", 0L).containsEntry("targetWorkers", 2L);
	}

	@Test
	void outOfServiceWithOnlyStoppingWorkers() {
		worker(0, 101, "stopping");
		assertThat(this.indicator.health().getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
	}

	@Test
	void outOfServiceWithNoWorkers() {
		Health health = this.indicator.health();
		assertThat(health.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
		assertThat(health.getDetails()).containsEntry("servingWorkers", 0L);
	}

	@Test
	void outOfServiceWhileWorkersKeepFailingToStartEvenIfOneServes() {
		worker(0, 101, "idle");
		worker(1, 102, "starting");
		this.scoreboard.pool().set(PoolCounter.CONSECUTIVE_BOOT_FAILURES, 3);
		Health health = this.indicator.health();
		assertThat(health.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
		assertThat(health.getDetails()).containsEntry("servingWorkers", 1L).containsEntry("consecutiveBootFailures", 3L);
	}

	@Test
	void upAgainOnceAWorkerStartsAfterBootFailures() {
		worker(0, 101, "idle");
		this.scoreboard.pool().set(PoolCounter.CONSECUTIVE_BOOT_FAILURES, 1);
		assertThat(this.indicator.health().getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
		this.scoreboard.pool().set(PoolCounter.CONSECUTIVE_BOOT_FAILURES, 0);
		assertThat(this.indicator.health().getStatus()).isEqualTo(Status.UP);
	}

	@Test
	void releasedWorkersNoLongerServe() {
		worker(0, 101, "idle");
		this.scoreboard.release(0);
		assertThat(this.indicator.health().getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
	}

	@Test
	void downWhenTheScoreboardCannotBeRead() {
		this.scoreboard.close();
		// The indicator logs the failure with its stack trace as a warning; keep it off the build output.
		LoggingSystem logging = LoggingSystem.get(getClass().getClassLoader());
		String logger = PreforkHealthIndicator.class.getName();
		logging.setLogLevel(logger, LogLevel.ERROR);
		try {
			Health health = this.indicator.health();
			assertThat(health.getStatus()).isEqualTo(Status.DOWN);
			assertThat(health.getDetails()).hasEntrySatisfying("error",
					(error) -> assertThat(error).asString().contains("closed"));
		}
		finally {
			logging.setLogLevel(logger, null);
		}
	}

	private void worker(int row, int pid, String state) {
		this.scoreboard.master(row).update(row / 2, pid, 0, state, 1_700_000_000_000L, 0, 0, 0);
	}

}
