package io.prefork.autoconfigure;

import org.springframework.aot.AotDetector;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.util.ClassUtils;

import io.prefork.actuate.PoolControl;
import io.prefork.actuate.PreforkEndpoint;
import io.prefork.actuate.PreforkHealthIndicator;
import io.prefork.application.WorkerInfo;
import io.prefork.metrics.PreforkMetrics;
import io.prefork.scoreboard.CachedSnapshots;
import io.prefork.worker.Worker;

/**
 * Wires a worker whose application context was generated ahead of time (Spring AOT, run with
 * {@code spring.aot.enabled=true}). Auto-configuration conditions are evaluated when that
 * context is generated, at build time, where no process is a worker, so it lacks every
 * worker bean, and the worker's Tomcat would bind the master's port. This initializer
 * registers them at run time, with the same factory methods as the auto-configurations.
 */
public class PreforkAotWorkerInitializer implements ApplicationContextInitializer<ConfigurableApplicationContext> {

	private static final String ENDPOINT = "org.springframework.boot.actuate.endpoint.annotation.Endpoint";

	private static final String HEALTH = "org.springframework.boot.health.contributor.HealthIndicator";

	private static final String METRICS = "io.micrometer.core.instrument.binder.MeterBinder";

	@Override
	public void initialize(ConfigurableApplicationContext context) {
		ConfigurableEnvironment environment = context.getEnvironment();
		if (!AotDetector.useGeneratedArtifacts() || PreforkRole.of(environment) != PreforkRole.WORKER
				|| !(context instanceof GenericApplicationContext registry)) {
			return;
		}
		PreforkProperties properties = Binder.get(environment).bindOrCreate("server.prefork", PreforkProperties.class);
		registry.registerBean("preforkTomcatCustomizer", PreforkWorkerAutoConfiguration.PreforkTomcatCustomizer.class,
				() -> new PreforkWorkerAutoConfiguration().preforkTomcatCustomizer(properties, environment));
		if (Worker.isStarted()) {
			registerStartedWorker(registry, properties);
		}
	}

	private static void registerStartedWorker(GenericApplicationContext registry, PreforkProperties properties) {
		PreforkWorkerAutoConfiguration.StartedWorkerConfiguration worker = new PreforkWorkerAutoConfiguration.StartedWorkerConfiguration();
		registry.registerBean("preforkWorker", Worker.class, () -> worker.preforkWorker(properties));
		registry.registerBean("preforkSnapshots", CachedSnapshots.class,
				() -> worker.preforkSnapshots(registry.getBean(Worker.class)));
		registry.registerBean("preforkPoolControl", PoolControl.class,
				() -> worker.preforkPoolControl(registry.getBean(Worker.class)));
		registry.registerBean("preforkRequestWatchCustomizer", WebServerFactoryCustomizer.class,
				() -> worker.preforkRequestWatchCustomizer(registry.getBean(Worker.class)));
		registry.registerBean("preforkWorkerInfo", WorkerInfo.class,
				() -> worker.preforkWorkerInfo(registry.getBean(Worker.class)));
		registry.registerBean("preforkRetirementEvents", SmartInitializingSingleton.class,
				() -> worker.preforkRetirementEvents(registry.getBean(Worker.class), registry.getBean(WorkerInfo.class),
						registry));
		registry.registerBean("preforkSessionRouteCustomizer", WebServerFactoryCustomizer.class,
				() -> worker.preforkSessionRouteCustomizer(registry.getBean(WorkerInfo.class), properties,
						registry.getBean(CachedSnapshots.class)));
		ClassLoader classLoader = registry.getClassLoader();
		if (ClassUtils.isPresent(ENDPOINT, classLoader)) {
			Observability.registerEndpoint(registry);
		}
		if (ClassUtils.isPresent(HEALTH, classLoader)) {
			Observability.registerHealth(registry);
		}
		if (ClassUtils.isPresent(METRICS, classLoader)) {
			Observability.registerMetrics(registry);
		}
	}

	/** Only loaded when the actuator or Micrometer classes they need are present. */
	private static final class Observability {

		static void registerEndpoint(GenericApplicationContext registry) {
			registry.registerBean("preforkEndpoint", PreforkEndpoint.class,
					() -> new PreforkEndpointAutoConfiguration().preforkEndpoint(registry.getBean(CachedSnapshots.class),
							registry.getBean(PoolControl.class)));
		}

		static void registerHealth(GenericApplicationContext registry) {
			registry.registerBean("preforkHealthIndicator", PreforkHealthIndicator.class,
					() -> new PreforkHealthAutoConfiguration().preforkHealthIndicator(registry.getBean(CachedSnapshots.class)));
		}

		static void registerMetrics(GenericApplicationContext registry) {
			registry.registerBean("preforkMetrics", PreforkMetrics.class,
					() -> new PreforkMetricsAutoConfiguration().preforkMetrics(registry.getBean(CachedSnapshots.class)));
		}

	}

}
