package io.prefork.posix;

import java.util.function.LongSupplier;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The compiler threads' clock, read from this test JVM's own {@code /proc/self/task}.
 */
class CompilerThreadsTests {

	@Test
	void readsThisJvmsCompilerThreadsAndNeverGoesBack() {
		LongSupplier clock = CompilerThreads.clock();
		long first = clock.getAsLong();
		assertThat(first).as("CPU milliseconds of the compilers that loaded JUnit and this test").isPositive();
		long previous = first;
		for (int i = 0; i < 5; i++) {
			long now = clock.getAsLong();
			assertThat(now).isGreaterThanOrEqualTo(previous);
			previous = now;
		}
	}

}
