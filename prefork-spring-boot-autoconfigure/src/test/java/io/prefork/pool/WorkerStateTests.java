package io.prefork.pool;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static io.prefork.pool.WorkerState.BUSY;
import static io.prefork.pool.WorkerState.DEAD;
import static io.prefork.pool.WorkerState.IDLE;
import static io.prefork.pool.WorkerState.STARTING;
import static io.prefork.pool.WorkerState.STOPPING;
import static io.prefork.pool.WorkerState.WARMING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class WorkerStateTests {

	/** The intended life of a worker; every pair not listed is illegal. */
	private static final Map<WorkerState, Set<WorkerState>> LEGAL = Map.of(STARTING,
			EnumSet.of(WARMING, IDLE, STOPPING, DEAD), WARMING, EnumSet.of(IDLE, STOPPING, DEAD), IDLE,
			EnumSet.of(IDLE, BUSY, STOPPING, DEAD), BUSY, EnumSet.of(IDLE, BUSY, STOPPING, DEAD), STOPPING,
			EnumSet.of(STOPPING, DEAD), DEAD, EnumSet.noneOf(WorkerState.class));

	@Test
	void legalMovesReturnTheNextState() {
		LEGAL.forEach((from, targets) -> targets.forEach((to) -> {
			assertThat(from.canMoveTo(to)).as("%s -> %s", from, to).isTrue();
			assertThat(from.moveTo(to)).isSameAs(to);
		}));
	}

	@Test
	void illegalMovesThrow() {
		int illegal = 0;
		for (WorkerState from : WorkerState.values()) {
			for (WorkerState to : EnumSet.complementOf(EnumSet.copyOf(LEGAL.get(from)))) {
				assertIllegal(from, to);
				illegal++;
			}
		}
		assertThat(illegal).as("illegal pairs checked").isEqualTo(19);
	}

	@Test
	void nothingLeavesDeadAndNothingReturnsToStarting() {
		for (WorkerState state : WorkerState.values()) {
			assertIllegal(DEAD, state);
			assertIllegal(state, STARTING);
		}
	}

	@Test
	void aStartingWorkerMustBecomeIdleBeforeBusy() {
		assertIllegal(STARTING, BUSY);
	}

	@Test
	void aWarmingWorkerMustBecomeIdleBeforeBusy() {
		assertIllegal(WARMING, BUSY);
	}

	@Test
	void aReadyWorkerNeverWarmsUpAgain() {
		for (WorkerState state : EnumSet.of(IDLE, BUSY, STOPPING, DEAD)) {
			assertIllegal(state, WARMING);
		}
	}

	@Test
	void startingAndWarmingAreBooting() {
		assertThat(EnumSet.allOf(WorkerState.class).stream().filter(WorkerState::isBooting))
			.containsExactlyInAnyOrder(STARTING, WARMING);
	}

	@Test
	void aStoppingWorkerNeverServesAgain() {
		assertIllegal(STOPPING, IDLE);
		assertIllegal(STOPPING, BUSY);
	}

	@Test
	void onlyIdleAndBusyServe() {
		assertThat(EnumSet.allOf(WorkerState.class).stream().filter(WorkerState::isServing))
			.containsExactlyInAnyOrder(IDLE, BUSY);
	}

	private static void assertIllegal(WorkerState from, WorkerState to) {
		assertThat(from.canMoveTo(to)).as("%s -> %s", from, to).isFalse();
		assertThatIllegalStateException().isThrownBy(() -> from.moveTo(to))
			.withMessage("Illegal worker state change " + from + " -> " + to);
	}

}
