package io.prefork.pool;

import org.junit.jupiter.api.Test;

import static io.prefork.SqlInitialization.EVERY_WORKER;
import static io.prefork.SqlInitialization.FIRST_WORKER;
import static org.assertj.core.api.Assertions.assertThat;

class SqlInitOrderTests {

	@Test
	void everyWorkerStartsAsThePoolWantsAndInitialises() {
		assertThat(SqlInitOrder.startsAllowed(EVERY_WORKER, false, 4, 0)).isEqualTo(4);
		assertThat(SqlInitOrder.initialises(EVERY_WORKER, false)).isTrue();
		assertThat(SqlInitOrder.initialises(EVERY_WORKER, true)).isTrue();
	}

	@Test
	void firstWorkerStartsAloneUntilAWorkerIsReady() {
		assertThat(SqlInitOrder.startsAllowed(FIRST_WORKER, false, 4, 0)).isEqualTo(1);
		assertThat(SqlInitOrder.startsAllowed(FIRST_WORKER, false, 3, 1)).isZero();
		assertThat(SqlInitOrder.startsAllowed(FIRST_WORKER, false, 0, 0)).isZero();
		assertThat(SqlInitOrder.startsAllowed(FIRST_WORKER, true, 3, 1)).isEqualTo(3);
	}

	@Test
	void onlyWorkersStartedBeforeAnyWasReadyInitialise() {
		assertThat(SqlInitOrder.initialises(FIRST_WORKER, false)).isTrue();
		assertThat(SqlInitOrder.initialises(FIRST_WORKER, true)).isFalse();
	}

}
