package io.prefork.container;

import org.junit.jupiter.api.Test;

import io.prefork.PreforkException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class MemoryPlanTests {

	private static final long MB = 1L << 20;

	private static final long GIB = 1L << 30;

	@Test
	void givesEachWorkerItsShareOfWhatIsLeft() {
		MemoryPlan plan = MemoryPlan.of(GIB, 4, 32 * MB, 140 * MB, 0);
		// (1024 - 32 - 5 × 140) / 4 = 73 MB
		assertThat(plan.workerHeapBytes()).isEqualTo(73 * MB);
		assertThat(plan.fits()).isTrue();
		assertThat(plan.neededBytes()).isLessThanOrEqualTo(GIB);
		assertThat(plan.describe())
			.isEqualTo("4 workers x 73 MB heap, master 32 MB heap, 140 MB beyond heap per JVM, in a 1 GiB limit");
	}

	@Test
	void failsWhenThePoolCannotFitAndSaysWhatWould() {
		assertThatExceptionOfType(PreforkException.class)
			.isThrownBy(() -> MemoryPlan.of(512 * MB, 8, 64 * MB, 140 * MB, 0))
			.withMessageContaining("8 workers do not fit in the 512 MB memory limit")
			.satisfies((ex) -> assertThat(ex.getAction()).contains("Run at most 1 worker in this limit")
				.contains("'server.prefork.workers=1'")
				.contains("at least 1836Mi for 8 workers"));
	}

	@Test
	void saysToRaiseTheLimitWhenNoWorkerFits() {
		assertThatExceptionOfType(PreforkException.class)
			.isThrownBy(() -> MemoryPlan.of(256 * MB, 2, 64 * MB, 140 * MB, 0))
			.satisfies((ex) -> assertThat(ex.getAction()).startsWith("Raise the container's memory limit to at least "
					+ (64 + 2 * 64 + 3 * 140) + "Mi for 2 workers"));
	}

	@Test
	void anExplicitWorkerHeapWinsEvenWhenItDoesNotFit() {
		MemoryPlan plan = MemoryPlan.of(GIB, 4, 32 * MB, 140 * MB, 512 * MB);
		assertThat(plan.workerHeapBytes()).isEqualTo(512 * MB);
		assertThat(plan.fits()).isFalse();
		assertThat(plan.describe()).startsWith("4 workers x 512 MB heap (as configured), master 32 MB heap");
	}

}
