package io.prefork.autoconfigure;

import java.time.Duration;
import java.util.stream.Stream;

import org.apache.catalina.Engine;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.valves.AccessLogValve;
import org.apache.coyote.AbstractProtocol;

import org.springframework.beans.factory.SmartInitializingSingleton;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.core.env.Environment;
import org.springframework.core.Ordered;

import io.prefork.DispatchMode;
import io.prefork.PreforkException;
import io.prefork.actuate.PoolControl;
import io.prefork.application.WorkerInfo;
import io.prefork.application.WorkerRetiringEvent;
import io.prefork.protocol.Message;
import io.prefork.protocol.WorkerIdentity;
import io.prefork.routing.SessionRoute;
import io.prefork.scoreboard.CachedSnapshots;
import io.prefork.scoreboard.ScoreboardSnapshot;
import io.prefork.worker.Worker;
import io.prefork.worker.tomcat.RequestWatchValve;
import io.prefork.worker.tomcat.PreforkHttp11NioProtocol;
import io.prefork.worker.tomcat.SessionRouteValve;

/**
 * In a worker process: Tomcat's connector takes its connections from the master (or, in
 * shared-accept dispatch, accepts on the listening socket inherited from it) instead of
 * binding a port, with the worker's thread and connection limits.
 */
@AutoConfiguration
@ConditionalOnClass(TomcatServletWebServerFactory.class)
@ConditionalOnProperty(name = PreforkRole.PROPERTY, havingValue = "worker")
@EnableConfigurationProperties(PreforkProperties.class)
public final class PreforkWorkerAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "preforkTomcatCustomizer")
	PreforkTomcatCustomizer preforkTomcatCustomizer(PreforkProperties properties, Environment environment) {
		DispatchMode dispatch = DispatchMode.of(environment.getProperty(PreforkEnvironmentPostProcessor.DISPATCH,
				DispatchMode.PASS_FD.value()));
		int slot = environment.getProperty(PreforkEnvironmentPostProcessor.SLOT, Integer.class, 0);
		return new PreforkTomcatCustomizer(properties.getWorker(), dispatch, slot);
	}

	/**
	 * Beans that need this process to be a started worker (not only to have the role).
	 */
	@Configuration(proxyBeanMethods = false)
	@Conditional(OnStartedWorker.class)
	static class StartedWorkerConfiguration {

		@Bean
		@ConditionalOnMissingBean
		Worker preforkWorker(PreforkProperties properties) {
			Worker worker = Worker.current();
			Duration requestTimeout = properties.getTimeouts().getRequest();
			if (requestTimeout != null) {
				worker.enforceRequestTimeout(requestTimeout);
			}
			worker.warmUpWith(properties.getWorker().getWarmup().toSettings());
			return worker;
		}

		@Bean
		@ConditionalOnMissingBean
		CachedSnapshots preforkSnapshots(Worker worker) {
			return new CachedSnapshots(worker.scoreboard());
		}

		@Bean
		@ConditionalOnMissingBean
		PoolControl preforkPoolControl(Worker worker) {
			return (action) -> worker.requestPoolChange(switch (action) {
				case RELOAD -> Message.PoolCommand.RELOAD;
				case ADD_WORKER -> Message.PoolCommand.ADD_WORKER;
				case REMOVE_WORKER -> Message.PoolCommand.REMOVE_WORKER;
			});
		}

		@Bean
		WebServerFactoryCustomizer<TomcatServletWebServerFactory> preforkRequestWatchCustomizer(Worker worker) {
			return (factory) -> factory.addContextCustomizers((context) -> context.getPipeline()
				.addValve(new RequestWatchValve(worker.requests(), worker::isWarmupRequest)));
		}

		@Bean
		@ConditionalOnMissingBean
		WorkerInfo preforkWorkerInfo(Worker worker) {
			WorkerIdentity identity = worker.identity();
			return new WorkerInfo(identity.slot(), identity.generation(), ProcessHandle.current().pid(),
					SessionRoute.of(identity.slot()));
		}

		@Bean
		SmartInitializingSingleton preforkRetirementEvents(Worker worker, WorkerInfo info,
				ApplicationEventPublisher publisher) {
			return () -> worker.onRetiring(
					(cause) -> publisher.publishEvent(new WorkerRetiringEvent(info, cause.tag())));
		}

		/**
		 * Session ids carry the slot's route (Tomcat's jvmRoute), which the master routes
		 * new connections by; with sticky sessions, a request that reached the wrong worker
		 * anyway is sent back through the master.
		 */
		@Bean
		WebServerFactoryCustomizer<TomcatServletWebServerFactory> preforkSessionRouteCustomizer(WorkerInfo info,
				PreforkProperties properties, CachedSnapshots snapshots) {
			boolean sticky = properties.usesStickySessions();
			return (factory) -> factory.addContextCustomizers((context) -> {
				// The context is in its host already, and the host in the engine.
				((Engine) context.getParent().getParent()).setJvmRoute(info.route());
				if (sticky) {
					context.getPipeline().addValve(new SessionRouteValve(info.slot(), snapshots.slots(),
							(slot) -> isServed(snapshots.get(), slot)));
				}
			});
		}

		private static boolean isServed(ScoreboardSnapshot snapshot, int slot) {
			return snapshot.rows().stream()
				.anyMatch((row) -> row.slot() == slot && ("idle".equals(row.state()) || "busy".equals(row.state())));
		}

	}

	static class OnStartedWorker implements Condition {

		@Override
		public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
			return Worker.isStarted();
		}

	}

	/**
	 * Runs after Spring Boot's own Tomcat customizers, so the worker limits win over
	 * {@code server.tomcat.threads.max} and {@code server.tomcat.max-connections}, and gives
	 * each worker its own access log file.
	 */
	static final class PreforkTomcatCustomizer
			implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {

		private final PreforkProperties.Worker worker;

		private final DispatchMode dispatch;

		private final int slot;

		PreforkTomcatCustomizer(PreforkProperties.Worker worker, DispatchMode dispatch, int slot) {
			this.worker = worker;
			this.dispatch = dispatch;
			this.slot = slot;
		}

		@Override
		public void customize(TomcatServletWebServerFactory factory) {
			if (this.dispatch != DispatchMode.SHARED_ACCEPT) {
				factory.setProtocol(PreforkHttp11NioProtocol.class.getName());
			}
			// Spring Boot applies server.tomcat.* limits with connector customizers, which run
			// after protocol handler customizers and in the order they were added: this one last.
			factory.addConnectorCustomizers(this::customizeConnector);
			Stream.concat(factory.getEngineValves().stream(), factory.getContextValves().stream())
				.filter(AccessLogValve.class::isInstance)
				.map(AccessLogValve.class::cast)
				.forEach(this::writeToOwnFile);
		}

		private void customizeConnector(Connector connector) {
			if (connector.getProtocolHandler() instanceof AbstractProtocol<?> protocol) {
				protocol.setMaxThreads(this.worker.getThreads());
				// Tomcat's idle acceptor thread holds one count of this limit while it waits.
				protocol.setMaxConnections(this.worker.getMaxConnections() + 1);
			}
			Object unixDomainSocketPath = connector.getProperty("unixDomainSocketPath");
			if (unixDomainSocketPath != null) {
				throw new PreforkException("Tomcat's connector is configured to listen on the Unix domain socket "
						+ unixDomainSocketPath + ", which a prefork worker cannot do: the master owns the "
						+ "listening socket and listens on TCP only.",
						"Remove the unixDomainSocketPath setting (from your TomcatConnectorCustomizer) and listen on "
								+ "'server.address' and 'server.port', or set 'server.prefork.enabled=false'.",
						null);
			}
			if (this.dispatch == DispatchMode.SHARED_ACCEPT) {
				// Accept on the listening socket inherited from the master as stdin.
				connector.setProperty("useInheritedChannel", "true");
			}
		}

		// Workers appending to one file would interleave lines and rotate it under each
		// other: access_log.2026-01-31.log becomes access_log.worker-0.2026-01-31.log.
		private void writeToOwnFile(AccessLogValve valve) {
			valve.setPrefix(valve.getPrefix() + ".worker-" + this.slot);
		}

		@Override
		public int getOrder() {
			return Ordered.LOWEST_PRECEDENCE;
		}

	}

}
