package io.prefork.scoreboard;

import java.io.IOException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class MasterSectionTests {

	private Scoreboard scoreboard;

	@BeforeEach
	void create() throws IOException {
		this.scoreboard = Scoreboard.create(2);
	}

	@AfterEach
	void close() {
		this.scoreboard.close();
	}

	@Test
	void aShorterStateReplacesALongerOne() {
		this.scoreboard.master(0).update(0, 10, 0, "stopping", 1, 2, 3, 4);
		this.scoreboard.master(0).update(0, 10, 0, "idle", 1, 2, 3, 4);
		assertThat(this.scoreboard.snapshot().rows()).singleElement()
			.extracting(ScoreboardSnapshot.Row::state)
			.isEqualTo("idle");
	}

	@Test
	void clearFreesTheRowAndZeroesItsFields() {
		this.scoreboard.master(1).update(5, 10, 6, "busy", 1, 2, 3, 4);
		this.scoreboard.master(1).clear();
		assertThat(this.scoreboard.snapshot().rows()).isEmpty();
		this.scoreboard.master(1).update(0, 11, 0, "starting", 0, 0, 0, 0);
		assertThat(this.scoreboard.snapshot().rows()).singleElement().satisfies((row) -> {
			assertThat(row.slot()).isZero();
			assertThat(row.state()).isEqualTo("starting");
		});
	}

	@Test
	void rejectsPidZeroAndStatesThatDoNotFit() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.scoreboard.master(0).update(0, 0, 0, "idle", 0, 0, 0, 0))
			.withMessageContaining("clear()");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.scoreboard.master(0).update(0, 1, 0, "s".repeat(17), 0, 0, 0, 0))
			.withMessageContaining("longer than 16");
		assertThat(this.scoreboard.snapshot().rows()).isEmpty();
	}

}
