package io.prefork.autoconfigure;

import org.apache.catalina.connector.Connector;
import org.apache.coyote.AbstractProtocol;

import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.Ordered;

import io.prefork.worker.tomcat.PreforkManagementHttp11NioProtocol;

/**
 * In a worker with a separate {@code management.server.port}: Spring Boot's management child
 * context gets its own Tomcat, whose connector serves the management connections the master
 * passes instead of binding the port (which the master owns), with a small thread pool
 * ({@code server.prefork.worker.management-threads}) rather than the 200 threads, 10 of them
 * started at once, that Tomcat would give probes in every worker. Listed in
 * {@code ManagementContextConfiguration.imports}, so only the child context sees it.
 */
@ManagementContextConfiguration(value = ManagementContextType.CHILD, proxyBeanMethods = false)
@ConditionalOnClass(TomcatServletWebServerFactory.class)
@Conditional(PreforkWorkerAutoConfiguration.OnStartedWorker.class)
class PreforkManagementChildContextConfiguration {

	@Bean
	WebServerFactoryCustomizer<TomcatServletWebServerFactory> preforkManagementTomcatCustomizer(
			PreforkProperties properties) {
		return new ManagementTomcatCustomizer(properties.getWorker().getManagementThreads());
	}

	/**
	 * Runs after Spring Boot's own Tomcat customizers, whose {@code server.tomcat.threads.*}
	 * the management server would otherwise take from the application's.
	 */
	record ManagementTomcatCustomizer(int threads)
			implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {

		@Override
		public void customize(TomcatServletWebServerFactory factory) {
			factory.setProtocol(PreforkManagementHttp11NioProtocol.class.getName());
			// Connector customizers run in the order they were added: this one last.
			factory.addConnectorCustomizers(this::limitThreads);
		}

		private void limitThreads(Connector connector) {
			if (connector.getProtocolHandler() instanceof AbstractProtocol<?> protocol) {
				protocol.setMaxThreads(this.threads);
				protocol.setMinSpareThreads(1);
			}
		}

		@Override
		public int getOrder() {
			return Ordered.LOWEST_PRECEDENCE;
		}

	}

}
