package io.prefork.autoconfigure;

import org.apache.catalina.connector.Connector;
import org.apache.coyote.AbstractProtocol;
import org.junit.jupiter.api.Test;

import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;

import io.prefork.autoconfigure.PreforkManagementChildContextConfiguration.ManagementTomcatCustomizer;
import io.prefork.worker.tomcat.PreforkManagementHttp11NioProtocol;

import static org.assertj.core.api.Assertions.assertThat;

class PreforkManagementChildContextConfigurationTests {

	@Test
	void theManagementServerGetsTheHandOverProtocolAndASmallThreadPool() {
		TomcatServletWebServerFactory factory = new TomcatServletWebServerFactory();
		// As Spring Boot's server.tomcat.threads.* customizer would have done before.
		factory.addConnectorCustomizers((connector) -> ((AbstractProtocol<?>) connector.getProtocolHandler())
			.setMaxThreads(200));
		new ManagementTomcatCustomizer(4).customize(factory);
		Connector connector = new Connector("HTTP/1.1");
		factory.getConnectorCustomizers().forEach((customizer) -> customizer.customize(connector));
		AbstractProtocol<?> protocol = (AbstractProtocol<?>) connector.getProtocolHandler();
		assertThat(factory.getProtocol()).isEqualTo(PreforkManagementHttp11NioProtocol.class.getName());
		assertThat(protocol.getMaxThreads()).isEqualTo(4);
		assertThat(protocol.getMinSpareThreads()).isEqualTo(1);
	}

	@Test
	void theDefaultIsFourThreads() {
		assertThat(new PreforkProperties().getWorker().getManagementThreads()).isEqualTo(4);
	}

}
