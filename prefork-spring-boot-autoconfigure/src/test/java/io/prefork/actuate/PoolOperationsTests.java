package io.prefork.actuate;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointAutoConfiguration;
import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.actuate.endpoint.InvocationContext;
import org.springframework.boot.actuate.endpoint.OperationType;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointsSupplier;
import org.springframework.boot.actuate.endpoint.web.WebOperation;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

import io.prefork.protocol.Message.PoolCallDone.Outcome;
import io.prefork.worker.PoolCalls;
import io.prefork.worker.PoolLoggerLevels;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link PoolOperations} as Spring Boot's web endpoint discovery applies it: writes are
 * relayed, reads and per-worker endpoints are not, and relayed calls run the operation
 * here only.
 */
class PoolOperationsTests {

	@TempDir
	Path directory;

	private final List<OperationCall> relayed = new ArrayList<>();

	private final PoolCaller pool = (request) -> {
		this.relayed.add(OperationCall.fromBytes(request));
		return List.of(new PoolCalls.Answer(1, 42, Outcome.ANSWERED, new OperationAnswer(204, null).toBytes()));
	};

	private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
		.withInitializer((context) -> context.getEnvironment().setConversionService(new ApplicationConversionService()))
		.withConfiguration(AutoConfigurations.of(EndpointAutoConfiguration.class, WebEndpointAutoConfiguration.class))
		.withPropertyValues("management.endpoints.web.exposure.include=*")
		.withBean(ValueEndpoint.class)
		.withBean(LocalEndpoint.class)
		.withBean(PoolOperations.class, () -> new PoolOperations(this.pool, 0, Set.of("local"),
				new PoolLoggerLevels(this.directory), () -> {
				}));

	@Test
	void aWriteRunsHereAndIsRelayedWithItsArgumentsAReadIsNot() {
		this.runner.run((context) -> {
			WebEndpointsSupplier endpoints = context.getBean(WebEndpointsSupplier.class);
			operation(endpoints, "value", OperationType.WRITE).invoke(context(Map.of("value", "b")));
			assertThat(context.getBean(ValueEndpoint.class).value).isEqualTo("b");
			assertThat(this.relayed).singleElement().satisfies((call) -> {
				assertThat(call.key()).isEqualTo(new OperationKey("value", OperationType.WRITE, List.of("value")));
				assertThat(call.arguments()).isEqualTo(Map.of("value", "b"));
			});
			assertThat(operation(endpoints, "value", OperationType.READ).invoke(context(Map.of()))).isEqualTo("b");
			assertThat(this.relayed).hasSize(1);
		});
	}

	@Test
	void aCallFromAnotherWorkerRunsHereOnly() {
		this.runner.run((context) -> {
			context.getBean(WebEndpointsSupplier.class).getEndpoints();
			OperationKey write = new OperationKey("value", OperationType.WRITE, List.of("value"));
			byte[] answer = context.getBean(PoolOperations.class)
				.run(new OperationCall(write, Map.of("value", "c")).toBytes());
			assertThat(OperationAnswer.fromBytes(answer)).isEqualTo(new OperationAnswer(204, null));
			assertThat(context.getBean(ValueEndpoint.class).value).isEqualTo("c");
			assertThat(this.relayed).isEmpty();
			OperationKey missing = new OperationKey("none", OperationType.WRITE, List.of());
			assertThat(OperationAnswer.fromBytes(context.getBean(PoolOperations.class)
				.run(new OperationCall(missing, Map.of()).toBytes())).status()).isEqualTo(404);
		});
	}

	@Test
	void aPerWorkerEndpointsWriteStaysHere() {
		this.runner.run((context) -> {
			operation(context.getBean(WebEndpointsSupplier.class), "local", OperationType.WRITE)
				.invoke(context(Map.of()));
			assertThat(context.getBean(LocalEndpoint.class).writes).isEqualTo(1);
			assertThat(this.relayed).isEmpty();
		});
	}

	private static InvocationContext context(Map<String, Object> arguments) {
		return new InvocationContext(SecurityContext.NONE, arguments);
	}

	private static WebOperation operation(WebEndpointsSupplier endpoints, String id, OperationType type) {
		return endpoints.getEndpoints()
			.stream()
			.filter((endpoint) -> endpoint.getEndpointId().equals(EndpointId.of(id)))
			.flatMap((endpoint) -> endpoint.getOperations().stream())
			.filter((operation) -> operation.getType() == type)
			.findFirst()
			.orElseThrow();
	}

	@Endpoint(id = "value")
	static class ValueEndpoint {

		private String value = "a";

		@ReadOperation
		String read() {
			return this.value;
		}

		@WriteOperation
		void write(String value) {
			this.value = value;
		}

	}

	@Endpoint(id = "local")
	static class LocalEndpoint {

		private int writes;

		@WriteOperation
		void write() {
			this.writes++;
		}

	}

}
