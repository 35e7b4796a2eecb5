package io.prefork.autoconfigure;

import java.nio.file.Path;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.actuate.endpoint.invoke.OperationInvokerAdvisor;
import org.springframework.boot.actuate.endpoint.web.WebEndpointsSupplier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import io.prefork.actuate.PoolOperations;
import io.prefork.worker.PoolLoggerLevels;
import io.prefork.worker.Worker;

/**
 * Pool-wide actuator operations, in workers: writes and deletes run in every worker, and
 * this worker runs the ones other workers send.
 */
@AutoConfiguration(after = PreforkWorkerAutoConfiguration.class)
@ConditionalOnClass(OperationInvokerAdvisor.class)
@ConditionalOnBean(Worker.class)
public final class PreforkPoolOperationsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	PoolOperations preforkPoolOperations(Worker worker, PreforkProperties properties,
			ObjectProvider<WebEndpointsSupplier> webEndpoints) {
		return new PoolOperations(worker.poolCalls()::call, worker.identity().slot(),
				properties.getActuator().getPerWorkerEndpoints(), loggerLevels(worker),
				() -> webEndpoints.orderedStream().forEach(WebEndpointsSupplier::getEndpoints));
	}

	// Once every singleton exists, so the endpoints other workers call are there too.
	@Bean
	SmartInitializingSingleton preforkPoolOperationsHandler(Worker worker, PoolOperations operations) {
		return () -> worker.poolCalls().handleWith(operations::run);
	}

	static PoolLoggerLevels loggerLevels(Worker worker) {
		return new PoolLoggerLevels(Path.of(worker.identity().scoreboard()).getParent());
	}

}
