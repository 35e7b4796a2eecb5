package io.prefork.scoreboard;

import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.prefork.pool.ConnectionState;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/**
 * A worker records its connections through its own mapping of the file; the master reads
 * them through another, as after the worker died.
 */
class ConnectionTableTests {

	private Scoreboard master;

	private Scoreboard worker;

	@BeforeEach
	void create() throws Exception {
		this.master = Scoreboard.create(3, 4);
		this.worker = Scoreboard.open(this.master.file());
	}

	@AfterEach
	void close() {
		this.worker.close();
		this.master.close();
	}

	@Test
	void theMasterReadsWhatTheWorkerRecorded() {
		ConnectionTable table = this.worker.connections(1);
		int first = table.claim(11);
		int second = table.claim(12);
		table.record(first, ConnectionState.AWAITING_ANSWER);
		assertThat(this.master.connections(1).states()).containsOnly(entry(11L, ConnectionState.AWAITING_ANSWER),
				entry(12L, ConnectionState.FRESH));
		table.record(second, ConnectionState.ANSWERED);
		assertThat(this.master.connections(1).states()).containsEntry(12L, ConnectionState.ANSWERED);
	}

	@Test
	void rowsHaveTablesOfTheirOwn() {
		this.worker.connections(0).claim(1);
		this.worker.connections(2).claim(3);
		assertThat(this.master.connections(0).states()).containsOnlyKeys(1L);
		assertThat(this.master.connections(1).states()).isEmpty();
		assertThat(this.master.connections(2).states()).containsOnlyKeys(3L);
	}

	@Test
	void aReleasedEntryIsForgottenAndReused() {
		ConnectionTable table = this.worker.connections(0);
		int entry = table.claim(21);
		table.release(entry);
		assertThat(this.master.connections(0).states()).isEmpty();
		assertThat(table.claim(22)).isEqualTo(entry);
		assertThat(this.master.connections(0).states()).containsOnly(entry(22L, ConnectionState.FRESH));
	}

	@Test
	void aFullTableRecordsNoMore() {
		ConnectionTable table = this.worker.connections(0);
		for (long id = 1; id <= 4; id++) {
			assertThat(table.claim(id)).isNotNegative();
		}
		assertThat(table.claim(5)).isEqualTo(-1);
		assertThat(this.master.connections(0).states()).hasSize(4).doesNotContainKey(5L);
	}

	@Test
	void releasingTheRowEmptiesItsTableForTheNextWorker() {
		this.worker.connections(2).claim(31);
		this.master.release(2);
		Map<Long, ConnectionState> states = this.master.connections(2).states();
		assertThat(states).isEmpty();
	}

	@Test
	void aScoreboardWithoutTablesHasEmptyOnes() throws Exception {
		try (Scoreboard plain = Scoreboard.create(2)) {
			assertThat(plain.connections(1).claim(1)).isEqualTo(-1);
			assertThat(plain.connections(1).states()).isEmpty();
		}
	}

}
