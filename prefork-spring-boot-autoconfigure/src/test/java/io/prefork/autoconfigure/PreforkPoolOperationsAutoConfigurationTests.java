package io.prefork.autoconfigure;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import io.prefork.actuate.PoolOperations;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link PreforkPoolOperationsAutoConfiguration}: only in a started worker (the integration
 * tests run it there), so an application running without prefork keeps its actuator as is.
 */
class PreforkPoolOperationsAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(PreforkWorkerAutoConfiguration.class,
				PreforkPoolOperationsAutoConfiguration.class));

	@Test
	void makesNoOperationPoolWideOutsideAWorker() {
		this.runner.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(PoolOperations.class));
	}

	@Test
	void makesNoOperationPoolWideInAProcessThatOnlyHasTheWorkerRole() {
		this.runner.withPropertyValues(PreforkRole.PROPERTY + "=worker")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(PoolOperations.class));
	}

}
