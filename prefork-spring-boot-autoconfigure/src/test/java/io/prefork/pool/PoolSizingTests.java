package io.prefork.pool;

import org.junit.jupiter.api.Test;

import io.prefork.PoolMode;
import io.prefork.pool.PoolSizing.Counts;

import static org.assertj.core.api.Assertions.assertThat;

class PoolSizingTests {

	private static final int ROOMY = 100;

	@Test
	void countsTotalAllStates() {
		assertThat(new Counts(1, 2, 3).total()).isEqualTo(6);
		assertThat(new Counts(0, 0, 0).total()).isZero();
	}

	@Test
	void staticPoolStartsEveryWorkerUpToTheFloor() {
		assertThat(staticToStart(new Counts(0, 0, 0), 4)).isEqualTo(4);
	}

	@Test
	void staticPoolStartsOnlyTheMissingOnes() {
		assertThat(staticToStart(new Counts(0, 2, 1), 4)).isEqualTo(1);
	}

	@Test
	void staticPoolCountsStartingWorkersAsCapacityOnTheWay() {
		assertThat(staticToStart(new Counts(1, 2, 1), 4)).isZero();
		assertThat(staticToStart(new Counts(3, 0, 0), 4)).isEqualTo(1);
	}

	@Test
	void staticPoolAtOrAboveItsFloorStartsNothing() {
		assertThat(staticToStart(new Counts(0, 2, 2), 4)).isZero();
		assertThat(staticToStart(new Counts(0, 3, 3), 4)).isZero();
	}

	@Test
	void staticPoolIgnoresMinSpare() {
		assertThat(PoolSizing.toStart(new Counts(0, 0, 4), PoolMode.STATIC, 4, 3, ROOMY, ROOMY)).isZero();
	}

	@Test
	void startsNoMoreThanMaxWorkersAllows() {
		assertThat(PoolSizing.toStart(new Counts(0, 0, 0), PoolMode.STATIC, 10, 1, 6, ROOMY)).isEqualTo(6);
		assertThat(PoolSizing.toStart(new Counts(1, 2, 1), PoolMode.STATIC, 10, 1, 6, ROOMY)).isEqualTo(2);
		assertThat(PoolSizing.toStart(new Counts(0, 3, 3), PoolMode.STATIC, 10, 1, 6, ROOMY)).isZero();
	}

	@Test
	void startsNoMoreThanMaxStartingMinusThoseAlreadyStarting() {
		assertThat(PoolSizing.toStart(new Counts(0, 0, 0), PoolMode.STATIC, 10, 1, ROOMY, 3)).isEqualTo(3);
		assertThat(PoolSizing.toStart(new Counts(1, 0, 0), PoolMode.STATIC, 10, 1, ROOMY, 3)).isEqualTo(2);
		assertThat(PoolSizing.toStart(new Counts(3, 0, 0), PoolMode.STATIC, 10, 1, ROOMY, 3)).isZero();
	}

	@Test
	void neverReturnsANegativeNumber() {
		assertThat(PoolSizing.toStart(new Counts(5, 0, 0), PoolMode.STATIC, 10, 1, ROOMY, 3)).isZero();
		assertThat(PoolSizing.toStart(new Counts(0, 5, 5), PoolMode.STATIC, 10, 1, 6, ROOMY)).isZero();
		assertThat(PoolSizing.toStart(new Counts(0, 5, 5), PoolMode.DYNAMIC, 1, 0, 6, ROOMY)).isZero();
	}

	@Test
	void dynamicPoolStartsTheMinSpareDeficit() {
		assertThat(dynamicToStart(new Counts(0, 0, 4), 2)).isEqualTo(2);
		assertThat(dynamicToStart(new Counts(0, 1, 4), 2)).isEqualTo(1);
		assertThat(dynamicToStart(new Counts(0, 2, 4), 2)).isZero();
	}

	@Test
	void dynamicPoolCountsStartingWorkersAsSpares() {
		assertThat(dynamicToStart(new Counts(1, 0, 4), 2)).isEqualTo(1);
		assertThat(dynamicToStart(new Counts(1, 1, 4), 2)).isZero();
		assertThat(dynamicToStart(new Counts(2, 0, 4), 2)).isZero();
	}

	@Test
	void dynamicPoolStillStartsUpToItsFloor() {
		assertThat(PoolSizing.toStart(new Counts(0, 0, 0), PoolMode.DYNAMIC, 3, 1, ROOMY, ROOMY)).isEqualTo(3);
		assertThat(PoolSizing.toStart(new Counts(0, 0, 1), PoolMode.DYNAMIC, 1, 0, ROOMY, ROOMY)).isZero();
	}

	@Test
	void dynamicPoolIsCappedByMaxWorkersAndMaxStarting() {
		assertThat(PoolSizing.toStart(new Counts(0, 0, 7), PoolMode.DYNAMIC, 1, 3, 8, ROOMY)).isEqualTo(1);
		assertThat(PoolSizing.toStart(new Counts(0, 0, 8), PoolMode.DYNAMIC, 1, 3, 8, ROOMY)).isZero();
		assertThat(PoolSizing.toStart(new Counts(1, 0, 4), PoolMode.DYNAMIC, 1, 5, ROOMY, 2)).isEqualTo(1);
	}

	@Test
	void staticPoolNeverHasTooManyIdle() {
		assertThat(PoolSizing.tooManyIdle(new Counts(0, 10, 0), PoolMode.STATIC, 3)).isFalse();
	}

	@Test
	void dynamicPoolHasTooManyIdleOnlyAboveMaxSpare() {
		assertThat(PoolSizing.tooManyIdle(new Counts(0, 4, 0), PoolMode.DYNAMIC, 3)).isTrue();
		assertThat(PoolSizing.tooManyIdle(new Counts(0, 3, 5), PoolMode.DYNAMIC, 3)).isFalse();
		assertThat(PoolSizing.tooManyIdle(new Counts(0, 2, 5), PoolMode.DYNAMIC, 3)).isFalse();
	}

	@Test
	void startingAndBusyWorkersAreNotIdle() {
		assertThat(PoolSizing.tooManyIdle(new Counts(5, 3, 5), PoolMode.DYNAMIC, 3)).isFalse();
	}

	@Test
	void dynamicPoolNeverRetiresItsLastWorker() {
		assertThat(PoolSizing.tooManyIdle(new Counts(0, 1, 0), PoolMode.DYNAMIC, 0)).isFalse();
		assertThat(PoolSizing.tooManyIdle(new Counts(0, 1, 1), PoolMode.DYNAMIC, 0)).isTrue();
		assertThat(PoolSizing.tooManyIdle(new Counts(1, 1, 0), PoolMode.DYNAMIC, 0)).isTrue();
	}

	private static int staticToStart(Counts counts, int floor) {
		return PoolSizing.toStart(counts, PoolMode.STATIC, floor, 1, ROOMY, ROOMY);
	}

	private static int dynamicToStart(Counts counts, int minSpare) {
		return PoolSizing.toStart(counts, PoolMode.DYNAMIC, 1, minSpare, ROOMY, ROOMY);
	}

}
