package io.prefork.pool;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.prefork.pool.WorkerChoice.Candidate;

import static org.assertj.core.api.Assertions.assertThat;

class WorkerChoiceTests {

	@Test
	void choosesTheWorkerWithFewestOpenConnections() {
		assertThat(WorkerChoice.choose(List.of(new Candidate(0, 3), new Candidate(1, 1), new Candidate(2, 2)), -1))
			.isEqualTo(1);
	}

	@Test
	void fewestConnectionsWinsEvenIfItWasThePreviousPick() {
		assertThat(WorkerChoice.choose(List.of(new Candidate(0, 2), new Candidate(1, 0), new Candidate(2, 2)), 1))
			.isEqualTo(1);
	}

	@Test
	void tiesGoToTheFirstSlotAfterThePreviousPick() {
		List<Candidate> idle = List.of(new Candidate(0, 0), new Candidate(1, 0), new Candidate(2, 0));
		assertThat(WorkerChoice.choose(idle, -1)).isEqualTo(0);
		assertThat(WorkerChoice.choose(idle, 0)).isEqualTo(1);
		assertThat(WorkerChoice.choose(idle, 1)).isEqualTo(2);
	}

	@Test
	void tiesWrapAroundAfterTheHighestSlot() {
		List<Candidate> idle = List.of(new Candidate(0, 0), new Candidate(1, 0), new Candidate(2, 0));
		assertThat(WorkerChoice.choose(idle, 2)).isEqualTo(0);
	}

	@Test
	void tiesRotateOnlyAmongTheLeastLoaded() {
		List<Candidate> candidates = List.of(new Candidate(0, 1), new Candidate(1, 0), new Candidate(2, 1),
				new Candidate(3, 0));
		assertThat(WorkerChoice.choose(candidates, 1)).isEqualTo(3);
		assertThat(WorkerChoice.choose(candidates, 3)).isEqualTo(1);
	}

	@Test
	void rotationDoesNotDependOnCandidateOrderOrMissingSlots() {
		List<Candidate> shuffled = List.of(new Candidate(4, 0), new Candidate(0, 0), new Candidate(2, 0));
		assertThat(WorkerChoice.choose(shuffled, 1)).isEqualTo(2);
		assertThat(WorkerChoice.choose(shuffled, 2)).isEqualTo(4);
		assertThat(WorkerChoice.choose(shuffled, 4)).isEqualTo(0);
		assertThat(WorkerChoice.choose(shuffled, 7)).isEqualTo(0);
	}

	@Test
	void idleWorkersTakeTurns() {
		List<Candidate> idle = List.of(new Candidate(0, 0), new Candidate(1, 0), new Candidate(2, 0));
		List<Integer> picks = new ArrayList<>();
		int previous = -1;
		for (int i = 0; i < 6; i++) {
			previous = WorkerChoice.choose(idle, previous);
			picks.add(previous);
		}
		assertThat(picks).containsExactly(0, 1, 2, 0, 1, 2);
	}

	@Test
	void choosesTheOnlyCandidateEvenIfItWasThePreviousPick() {
		assertThat(WorkerChoice.choose(List.of(new Candidate(1, 5)), 1)).isEqualTo(1);
	}

	@Test
	void choosesNothingWithoutCandidates() {
		assertThat(WorkerChoice.choose(List.of(), -1)).isEqualTo(-1);
		assertThat(WorkerChoice.choose(List.of(), 3)).isEqualTo(-1);
	}

}
