package io.prefork.autoconfigure;

import org.apache.coyote.AbstractProtocol;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.tomcat.TomcatProtocolHandlerCustomizer;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;

import io.prefork.worker.tomcat.PreforkHttp11NioProtocol;

/**
 * In a worker process: Tomcat's connector takes its connections from the master instead of
 * binding a port, with the worker's thread and connection limits.
 */
@AutoConfiguration
@ConditionalOnClass(TomcatServletWebServerFactory.class)
@ConditionalOnProperty(name = PreforkRole.PROPERTY, havingValue = "worker")
@EnableConfigurationProperties(PreforkProperties.class)
public final class PreforkWorkerAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "preforkTomcatCustomizer")
	PreforkTomcatCustomizer preforkTomcatCustomizer(PreforkProperties properties) {
		return new PreforkTomcatCustomizer(properties.getWorker());
	}

	/**
	 * Runs after Spring Boot's own Tomcat customizers, so the worker limits win over
	 * {@code server.tomcat.threads.max} and {@code server.tomcat.max-connections}.
	 */
	static final class PreforkTomcatCustomizer
			implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {

		private final PreforkProperties.Worker worker;

		PreforkTomcatCustomizer(PreforkProperties.Worker worker) {
			this.worker = worker;
		}

		@Override
		public void customize(TomcatServletWebServerFactory factory) {
			factory.setProtocol(PreforkHttp11NioProtocol.class.getName());
			factory.addProtocolHandlerCustomizers((TomcatProtocolHandlerCustomizer<AbstractProtocol<?>>) (protocol) -> {
				protocol.setMaxThreads(this.worker.getThreads());
				protocol.setMaxConnections(this.worker.getMaxConnections());
			});
		}

		@Override
		public int getOrder() {
			return Ordered.LOWEST_PRECEDENCE;
		}

	}

}
