package io.prefork.scoreboard;

import java.io.IOException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class PoolCountersTests {

	private Scoreboard scoreboard;

	private PoolCounters pool;

	@BeforeEach
	void create() throws IOException {
		this.scoreboard = Scoreboard.create(1);
		this.pool = this.scoreboard.pool();
	}

	@AfterEach
	void close() {
		this.scoreboard.close();
	}

	@Test
	void addsSetsAndRaises() {
		this.pool.add(PoolCounter.ACCEPTED, 2);
		this.pool.add(PoolCounter.ACCEPTED, 3);
		this.pool.set(PoolCounter.QUEUE_LENGTH, 7);
		this.pool.set(PoolCounter.QUEUE_LENGTH, 4);
		this.pool.max(PoolCounter.MAX_QUEUE_LENGTH, 7);
		this.pool.max(PoolCounter.MAX_QUEUE_LENGTH, 4);
		assertThat(this.pool.get(PoolCounter.ACCEPTED)).isEqualTo(5);
		assertThat(this.pool.get(PoolCounter.QUEUE_LENGTH)).isEqualTo(4);
		assertThat(this.pool.get(PoolCounter.MAX_QUEUE_LENGTH)).isEqualTo(7);
		ScoreboardSnapshot snapshot = this.scoreboard.snapshot();
		assertThat(snapshot.counter(PoolCounter.ACCEPTED)).isEqualTo(5);
		assertThat(snapshot.counter(PoolCounter.QUEUE_LENGTH)).isEqualTo(4);
		assertThat(snapshot.counter(PoolCounter.MAX_QUEUE_LENGTH)).isEqualTo(7);
		assertThat(snapshot.counter(PoolCounter.SPAWNED)).isZero();
	}

	@Test
	void recordsTheStart() {
		this.pool.started(1_700_000_000_000L, "accept-on-command");
		assertThat(this.scoreboard.snapshot().startedAtEpochMillis()).isEqualTo(1_700_000_000_000L);
		assertThat(this.scoreboard.snapshot().dispatch()).isEqualTo("accept-on-command");
	}

	@Test
	void rejectsADispatchNameThatDoesNotFit() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.pool.started(1, "x".repeat(25)))
			.withMessageContaining("longer than 24");
		assertThatIllegalArgumentException().isThrownBy(() -> this.pool.started(1, "pass-fd\u00e9"))
			.withMessageContaining("ASCII");
		assertThat(this.scoreboard.snapshot().dispatch()).isNull();
		this.pool.started(1, "x".repeat(24));
		assertThat(this.scoreboard.snapshot().dispatch()).isEqualTo("x".repeat(24));
	}

}
