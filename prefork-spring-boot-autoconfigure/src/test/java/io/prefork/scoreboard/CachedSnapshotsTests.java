package io.prefork.scoreboard;

import java.io.IOException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class CachedSnapshotsTests {

	private Scoreboard scoreboard;

	private CachedSnapshots snapshots;

	@BeforeEach
	void create() throws IOException {
		this.scoreboard = Scoreboard.create(4);
		this.snapshots = new CachedSnapshots(this.scoreboard);
	}

	@AfterEach
	void close() {
		this.scoreboard.close();
	}

	@Test
	void reusesTheSnapshotWhileNothingChanges() {
		ScoreboardSnapshot first = this.snapshots.get();
		assertThat(this.snapshots.get()).isSameAs(first).isSameAs(this.snapshots.get());
	}

	@Test
	void reusesTheSnapshotWhenAGaugeIsSetToItsValue() {
		this.scoreboard.pool().set(PoolCounter.QUEUE_LENGTH, 2);
		ScoreboardSnapshot first = this.snapshots.get();
		this.scoreboard.pool().set(PoolCounter.QUEUE_LENGTH, 2);
		this.scoreboard.pool().max(PoolCounter.MAX_QUEUE_LENGTH, 0);
		assertThat(this.snapshots.get()).isSameAs(first);
	}

	@Test
	void takesANewSnapshotAfterAPoolCounterChanges() {
		ScoreboardSnapshot first = this.snapshots.get();
		this.scoreboard.pool().add(PoolCounter.ACCEPTED, 1);
		ScoreboardSnapshot second = this.snapshots.get();
		assertThat(second).isNotSameAs(first);
		assertThat(second.counter(PoolCounter.ACCEPTED)).isEqualTo(1);
		assertThat(this.snapshots.get()).isSameAs(second);
	}

	@Test
	void takesANewSnapshotAfterTheMasterStarts() {
		ScoreboardSnapshot first = this.snapshots.get();
		this.scoreboard.pool().started(1_700_000_000_000L, "pass-fd");
		assertThat(this.snapshots.get()).isNotSameAs(first)
			.satisfies((snapshot) -> assertThat(snapshot.dispatch()).isEqualTo("pass-fd"));
	}

	@Test
	void takesANewSnapshotAfterAMasterSectionChanges() {
		ScoreboardSnapshot first = this.snapshots.get();
		this.scoreboard.master(3).update(1, 303, 0, "starting", 1, 0, 0, 0);
		ScoreboardSnapshot second = this.snapshots.get();
		assertThat(second).isNotSameAs(first);
		assertThat(second.rows()).extracting(ScoreboardSnapshot.Row::pid).containsExactly(303);
		this.scoreboard.master(3).update(1, 303, 0, "idle", 1, 0, 0, 0);
		assertThat(this.snapshots.get()).isNotSameAs(second)
			.satisfies((snapshot) -> assertThat(snapshot.rows().get(0).state()).isEqualTo("idle"));
	}

	@Test
	void takesANewSnapshotAfterAWorkerSectionChanges() {
		this.scoreboard.master(1).update(0, 101, 0, "idle", 1, 0, 0, 0);
		ScoreboardSnapshot first = this.snapshots.get();
		this.scoreboard.worker(1).heartbeat(1_700_000_000_000L, 4);
		ScoreboardSnapshot second = this.snapshots.get();
		assertThat(second).isNotSameAs(first);
		assertThat(second.rows().get(0).requestsServed()).isEqualTo(4);
		this.scoreboard.worker(1).requests(5, 1, "GET /", 1_700_000_000_001L);
		assertThat(this.snapshots.get()).isNotSameAs(second)
			.satisfies((snapshot) -> assertThat(snapshot.rows().get(0).requestsServed()).isEqualTo(5));
	}

	@Test
	void takesANewSnapshotAfterAWorkerSectionOfAFreeRowChanges() {
		// The row is left out of snapshots, but the version must not depend on that.
		ScoreboardSnapshot first = this.snapshots.get();
		this.scoreboard.worker(2).heartbeat(1_700_000_000_000L, 1);
		assertThat(this.snapshots.get()).isNotSameAs(first);
	}

	@Test
	void takesANewSnapshotAfterARowIsReleased() {
		this.scoreboard.master(0).update(0, 101, 0, "idle", 1, 0, 0, 0);
		this.scoreboard.worker(0).requests(6, 0, null, 0);
		ScoreboardSnapshot first = this.snapshots.get();
		this.scoreboard.release(0);
		ScoreboardSnapshot second = this.snapshots.get();
		assertThat(second).isNotSameAs(first);
		assertThat(second.rows()).isEmpty();
		assertThat(second.counter(PoolCounter.REQUESTS_OF_EXITED_WORKERS)).isEqualTo(6);
	}

	@Test
	void seesWritesThroughAnotherMappingOfTheFile() throws IOException {
		try (Scoreboard worker = Scoreboard.open(this.scoreboard.file())) {
			this.scoreboard.master(2).update(1, 202, 0, "idle", 1, 0, 0, 0);
			ScoreboardSnapshot first = this.snapshots.get();
			worker.worker(2).requests(9, 0, null, 0);
			assertThat(this.snapshots.get()).isNotSameAs(first)
				.satisfies((snapshot) -> assertThat(snapshot.rows().get(0).requestsServed()).isEqualTo(9));
		}
	}

	@Test
	void slotsAreHalfTheRows() throws IOException {
		assertThat(this.snapshots.slots()).isEqualTo(2);
		try (Scoreboard larger = Scoreboard.create(16)) {
			assertThat(new CachedSnapshots(larger).slots()).isEqualTo(8);
		}
	}

	@Test
	void failsOnceTheScoreboardIsClosed() {
		this.snapshots.get();
		this.scoreboard.close();
		assertThatIllegalStateException().isThrownBy(this.snapshots::get).withMessageContaining("closed");
	}

}
