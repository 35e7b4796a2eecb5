package io.prefork.autoconfigure;

import org.apache.coyote.http11.Http11NioProtocol;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.tomcat.TomcatProtocolHandlerCustomizer;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;

import io.prefork.autoconfigure.PreforkWorkerAutoConfiguration.PreforkTomcatCustomizer;
import io.prefork.worker.tomcat.PreforkHttp11NioProtocol;

import static org.assertj.core.api.Assertions.assertThat;

class PreforkWorkerAutoConfigurationTests {

	private final ApplicationContextRunner runner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(PreforkWorkerAutoConfiguration.class));

	@Test
	void backsOffOutsideAPreforkServer() {
		this.runner.run((context) -> assertThat(context).doesNotHaveBean("preforkTomcatCustomizer")
			.doesNotHaveBean(PreforkProperties.class));
	}

	@Test
	void backsOffInTheMaster() {
		this.runner.withPropertyValues("prefork.role=master")
			.run((context) -> assertThat(context).doesNotHaveBean("preforkTomcatCustomizer"));
	}

	@Test
	void customizesTomcatInAWorker() {
		this.runner.withPropertyValues("prefork.role=worker").run((context) -> {
			assertThat(context).hasSingleBean(PreforkTomcatCustomizer.class).hasBean("preforkTomcatCustomizer");
			TomcatServletWebServerFactory factory = new TomcatServletWebServerFactory();
			context.getBean(PreforkTomcatCustomizer.class).customize(factory);
			assertThat(factory.getProtocol()).isEqualTo(PreforkHttp11NioProtocol.class.getName());
		});
	}

	@Test
	void appliesTheWorkerLimitsToTheProtocol() {
		this.runner
			.withPropertyValues("prefork.role=worker", "server.prefork.worker.threads=7",
					"server.prefork.worker.max-connections=300")
			.run((context) -> {
				TomcatServletWebServerFactory factory = new TomcatServletWebServerFactory();
				context.getBean(PreforkTomcatCustomizer.class).customize(factory);
				Http11NioProtocol protocol = new Http11NioProtocol();
				for (TomcatProtocolHandlerCustomizer<?> customizer : factory.getProtocolHandlerCustomizers()) {
					customizeProtocol(customizer, protocol);
				}
				assertThat(protocol.getMaxThreads()).isEqualTo(7);
				assertThat(protocol.getMaxConnections()).as("one more for Tomcat's idle acceptor").isEqualTo(301);
			});
	}

	@Test
	void inSharedAcceptTomcatKeepsItsProtocolAndAcceptsOnTheInheritedSocket() {
		this.runner.withPropertyValues("prefork.role=worker", "prefork.worker.dispatch=shared-accept")
			.run((context) -> {
				TomcatServletWebServerFactory factory = new TomcatServletWebServerFactory();
				context.getBean(PreforkTomcatCustomizer.class).customize(factory);
				assertThat(factory.getProtocol()).isEqualTo(TomcatServletWebServerFactory.DEFAULT_PROTOCOL);
				Http11NioProtocol protocol = new Http11NioProtocol();
				for (TomcatProtocolHandlerCustomizer<?> customizer : factory.getProtocolHandlerCustomizers()) {
					customizeProtocol(customizer, protocol);
				}
				assertThat(protocol.getProperty("useInheritedChannel")).isEqualTo("true");
			});
	}

	@Test
	void backsOffWhenTheUserDefinesTheCustomizer() {
		WebServerFactoryCustomizer<TomcatServletWebServerFactory> own = (factory) -> {
		};
		this.runner.withPropertyValues("prefork.role=worker")
			.withBean("preforkTomcatCustomizer", WebServerFactoryCustomizer.class, () -> own)
			.run((context) -> {
				assertThat(context).doesNotHaveBean(PreforkTomcatCustomizer.class);
				assertThat(context.getBean("preforkTomcatCustomizer")).isSameAs(own);
			});
	}

	@SuppressWarnings("unchecked")
	private static void customizeProtocol(TomcatProtocolHandlerCustomizer<?> customizer, Http11NioProtocol protocol) {
		((TomcatProtocolHandlerCustomizer<Http11NioProtocol>) customizer).customize(protocol);
	}

}
