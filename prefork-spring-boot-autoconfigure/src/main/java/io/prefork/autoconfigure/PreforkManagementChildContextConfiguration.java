package io.prefork.autoconfigure;

import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;

import io.prefork.worker.tomcat.PreforkManagementHttp11NioProtocol;

/**
 * In a worker with a separate {@code management.server.port}: Spring Boot's management child
 * context gets its own Tomcat, whose connector serves the management connections the master
 * passes instead of binding the port (which the master owns). Listed in
 * {@code ManagementContextConfiguration.imports}, so only the child context sees it.
 */
@ManagementContextConfiguration(value = ManagementContextType.CHILD, proxyBeanMethods = false)
@ConditionalOnClass(TomcatServletWebServerFactory.class)
@Conditional(PreforkWorkerAutoConfiguration.OnStartedWorker.class)
class PreforkManagementChildContextConfiguration {

	@Bean
	WebServerFactoryCustomizer<TomcatServletWebServerFactory> preforkManagementTomcatCustomizer() {
		return (factory) -> factory.setProtocol(PreforkManagementHttp11NioProtocol.class.getName());
	}

}
