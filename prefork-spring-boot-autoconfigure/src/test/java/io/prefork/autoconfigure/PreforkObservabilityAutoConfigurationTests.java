package io.prefork.autoconfigure;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.endpoint.web.WebEndpointAutoConfiguration;
import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.actuate.endpoint.InvocationContext;
import org.springframework.boot.actuate.endpoint.OperationType;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.web.ExposableWebEndpoint;
import org.springframework.boot.actuate.endpoint.web.WebEndpointsSupplier;
import org.springframework.boot.actuate.endpoint.web.WebOperation;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;

import io.prefork.actuate.PoolControl;
import io.prefork.actuate.PreforkEndpoint;
import io.prefork.actuate.PreforkHealthIndicator;
import io.prefork.metrics.PreforkMetrics;
import io.prefork.scoreboard.CachedSnapshots;
import io.prefork.scoreboard.PoolCounter;
import io.prefork.scoreboard.Scoreboard;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link PreforkEndpointAutoConfiguration}, {@link PreforkMetricsAutoConfiguration} and
 * {@link PreforkHealthAutoConfiguration}: present in a worker (which publishes its
 * {@link CachedSnapshots} and {@link PoolControl}), absent elsewhere, backing off to the
 * user's beans.
 */
class PreforkObservabilityAutoConfigurationTests {

	private static final String EXPOSE = "management.endpoints.web.exposure.include=prefork";

	private static final AutoConfigurations PREFORK = AutoConfigurations.of(PreforkEndpointAutoConfiguration.class,
			PreforkMetricsAutoConfiguration.class, PreforkHealthAutoConfiguration.class);

	private Scoreboard scoreboard;

	private CachedSnapshots snapshots;

	private final List<PoolControl.Action> requested = new ArrayList<>();

	private final PoolControl control = this.requested::add;

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withInitializer(PreforkObservabilityAutoConfigurationTests::convertLikeSpringApplication)
		.withConfiguration(PREFORK);

	@BeforeEach
	void create() throws IOException {
		this.scoreboard = Scoreboard.create(4);
		this.snapshots = new CachedSnapshots(this.scoreboard);
	}

	@AfterEach
	void close() {
		this.scoreboard.close();
	}

	private ApplicationContextRunner inAWorker() {
		return this.runner.withBean(CachedSnapshots.class, () -> this.snapshots)
			.withBean(PoolControl.class, () -> this.control);
	}

	@Test
	void inAWorkerProvidesTheEndpointTheMetricsAndTheHealthIndicator() {
		inAWorker().withPropertyValues(EXPOSE).run((context) -> {
			assertThat(context).hasNotFailed()
				.hasSingleBean(PreforkEndpoint.class)
				.hasSingleBean(PreforkMetrics.class)
				.hasSingleBean(PreforkHealthIndicator.class)
				.hasBean("preforkHealthIndicator");
			this.scoreboard.master(0).update(0, 101, 0, "idle", 1, 0, 0, 0);
			this.scoreboard.worker(0).requests(3, 0, null, 0);
			assertThat(context.getBean(PreforkEndpoint.class).prefork().requestsServed()).isEqualTo(3);
			assertThat(context.getBean(PreforkHealthIndicator.class).health().getStatus()).isEqualTo(Status.UP);
			context.getBean(PreforkEndpoint.class).change(PoolControl.Action.RELOAD);
			assertThat(this.requested).containsExactly(PoolControl.Action.RELOAD);
		});
	}

	@Test
	void providesNothingWithoutAScoreboard() {
		this.runner.withPropertyValues(EXPOSE, "management.health.prefork.enabled=true")
			.withBean(PoolControl.class, () -> this.control)
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(PreforkEndpoint.class)
				.doesNotHaveBean(PreforkMetrics.class)
				.doesNotHaveBean(PreforkHealthIndicator.class));
	}

	@Test
	void theEndpointNeedsAPoolControl() {
		this.runner.withPropertyValues(EXPOSE)
			.withBean(CachedSnapshots.class, () -> this.snapshots)
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(PreforkEndpoint.class)
				.hasSingleBean(PreforkMetrics.class)
				.hasSingleBean(PreforkHealthIndicator.class));
	}

	@Test
	void theEndpointIsAbsentWhenNotExposed() {
		inAWorker().run((context) -> assertThat(context).hasNotFailed()
			.doesNotHaveBean(PreforkEndpoint.class)
			.hasSingleBean(PreforkMetrics.class)
			.hasSingleBean(PreforkHealthIndicator.class));
	}

	@Test
	void theEndpointIsAbsentWhenOnlyOtherEndpointsAreExposed() {
		inAWorker().withPropertyValues("management.endpoints.web.exposure.include=health,info")
			.run((context) -> assertThat(context).doesNotHaveBean(PreforkEndpoint.class));
	}

	@Test
	void theEndpointIsPresentWhenEveryEndpointIsExposed() {
		inAWorker().withPropertyValues("management.endpoints.web.exposure.include=*")
			.run((context) -> assertThat(context).hasSingleBean(PreforkEndpoint.class));
	}

	@Test
	void theEndpointIsAbsentWhenExposedButExcluded() {
		inAWorker().withPropertyValues("management.endpoints.web.exposure.include=*",
				"management.endpoints.web.exposure.exclude=prefork")
			.run((context) -> assertThat(context).doesNotHaveBean(PreforkEndpoint.class));
	}

	@Test
	void theEndpointIsAbsentWhenItsAccessIsNone() {
		inAWorker().withPropertyValues(EXPOSE, "management.endpoint.prefork.access=none")
			.run((context) -> assertThat(context).doesNotHaveBean(PreforkEndpoint.class));
	}

	@Test
	void theEndpointBacksOffToTheUsersEndpoint() {
		PreforkEndpoint own = new PreforkEndpoint(this.snapshots, this.control);
		inAWorker().withPropertyValues(EXPOSE)
			.withBean("myPreforkEndpoint", PreforkEndpoint.class, () -> own)
			.run((context) -> {
				assertThat(context).hasSingleBean(PreforkEndpoint.class).doesNotHaveBean("preforkEndpoint");
				assertThat(context.getBean(PreforkEndpoint.class)).isSameAs(own);
			});
	}

	@Test
	void theMetricsBackOffToTheUsersBinder() {
		PreforkMetrics own = new PreforkMetrics(this.snapshots, 1);
		inAWorker().withBean("myPreforkMetrics", PreforkMetrics.class, () -> own).run((context) -> {
			assertThat(context).hasSingleBean(PreforkMetrics.class).doesNotHaveBean("preforkMetrics");
			assertThat(context.getBean(PreforkMetrics.class)).isSameAs(own);
		});
	}

	@Test
	void theHealthIndicatorBacksOffToTheUsersIndicatorOfTheSameName() {
		HealthIndicator own = () -> Health.up().withDetail("own", true).build();
		inAWorker().withBean("preforkHealthIndicator", HealthIndicator.class, () -> own).run((context) -> {
			assertThat(context).doesNotHaveBean(PreforkHealthIndicator.class);
			assertThat(context.getBean("preforkHealthIndicator")).isSameAs(own);
		});
	}

	@Test
	void theHealthIndicatorIsAbsentWhenDisabled() {
		inAWorker().withPropertyValues(EXPOSE, "management.health.prefork.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(PreforkHealthIndicator.class)
				.hasSingleBean(PreforkEndpoint.class)
				.hasSingleBean(PreforkMetrics.class));
	}

	@Test
	void theHealthIndicatorFollowsTheHealthDefaults() {
		inAWorker().withPropertyValues("management.health.defaults.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(PreforkHealthIndicator.class));
		inAWorker()
			.withPropertyValues("management.health.defaults.enabled=false", "management.health.prefork.enabled=true")
			.run((context) -> assertThat(context).hasSingleBean(PreforkHealthIndicator.class));
	}

	@Test
	void theMetricsAreBoundToTheMeterRegistry() {
		inAWorker()
			.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
					SimpleMetricsExportAutoConfiguration.class))
			.run((context) -> {
				assertThat(context).hasNotFailed().hasSingleBean(MeterRegistry.class);
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				this.scoreboard.pool().add(PoolCounter.ACCEPTED, 5);
				assertThat(registry.get("prefork.connections.accepted").functionCounter().count()).isEqualTo(5);
				assertThat(registry.find("prefork.worker.requests").gauges()).hasSize(this.snapshots.slots());
				assertThat(registry.find("prefork.workers").gauges()).hasSize(5);
			});
	}

	@Test
	void theWebEndpointIsReadOnlyByDefault() {
		webRunner().withPropertyValues(EXPOSE).run((context) -> {
			ExposableWebEndpoint endpoint = preforkWebEndpoint(context.getBean(WebEndpointsSupplier.class));
			assertThat(endpoint.getOperations()).extracting(WebOperation::getType)
				.containsExactly(OperationType.READ);
		});
	}

	@Test
	void theWebEndpointChangesThePoolWhenItsAccessIsUnrestricted() {
		webRunner().withPropertyValues(EXPOSE, "management.endpoint.prefork.access=unrestricted").run((context) -> {
			ExposableWebEndpoint endpoint = preforkWebEndpoint(context.getBean(WebEndpointsSupplier.class));
			WebOperation write = endpoint.getOperations()
				.stream()
				.filter((operation) -> operation.getType() == OperationType.WRITE)
				.findFirst()
				.orElseThrow();
			Object result = write
				.invoke(new InvocationContext(SecurityContext.NONE, Map.of("action", "add-worker")));
			assertThat(result).isEqualTo(Map.of("requested", "add-worker"));
			assertThat(this.requested).containsExactly(PoolControl.Action.ADD_WORKER);
		});
	}

	private WebApplicationContextRunner webRunner() {
		return new WebApplicationContextRunner()
			.withInitializer(PreforkObservabilityAutoConfigurationTests::convertLikeSpringApplication)
			.withConfiguration(AutoConfigurations.of(EndpointAutoConfiguration.class,
					WebEndpointAutoConfiguration.class))
			.withConfiguration(PREFORK)
			.withBean(CachedSnapshots.class, () -> this.snapshots)
			.withBean(PoolControl.class, () -> this.control);
	}

	// SpringApplication's environment converts "none" to Access.NONE, a bare context's does
	// not; the documented lower-case values must work.
	private static void convertLikeSpringApplication(ConfigurableApplicationContext context) {
		context.getEnvironment().setConversionService(new ApplicationConversionService());
	}

	private static ExposableWebEndpoint preforkWebEndpoint(WebEndpointsSupplier supplier) {
		return supplier.getEndpoints()
			.stream()
			.filter((endpoint) -> endpoint.getEndpointId().equals(EndpointId.of("prefork")))
			.findFirst()
			.orElseThrow();
	}

}
