package io.prefork.autoconfigure;

import org.apache.catalina.connector.Connector;
import org.apache.catalina.valves.AccessLogValve;
import org.apache.coyote.AbstractProtocol;
import org.apache.coyote.http11.Http11NioProtocol;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.web.WebProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.tomcat.autoconfigure.TomcatServerProperties;
import org.springframework.boot.tomcat.autoconfigure.TomcatWebServerFactoryCustomizer;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.server.autoconfigure.ServerProperties;
import org.springframework.mock.env.MockEnvironment;

import io.prefork.PreforkException;

import io.prefork.autoconfigure.PreforkWorkerAutoConfiguration.PreforkTomcatCustomizer;
import io.prefork.worker.tomcat.PreforkHttp11NioProtocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

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
	void theWorkerLimitsWinOverSpringBootsTomcatLimits() {
		this.runner
			.withPropertyValues("prefork.role=worker", "server.prefork.worker.threads=7",
					"server.prefork.worker.max-connections=300")
			.run((context) -> {
				TomcatServletWebServerFactory factory = new TomcatServletWebServerFactory();
				// Spring Boot's defaults: server.tomcat.threads.max=200, max-connections=8192.
				new TomcatWebServerFactoryCustomizer(new MockEnvironment(), new ServerProperties(),
						new TomcatServerProperties(), new WebProperties())
					.customize(factory);
				context.getBean(PreforkTomcatCustomizer.class).customize(factory);
				AbstractProtocol<?> protocol = (AbstractProtocol<?>) connector(factory).getProtocolHandler();
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
				assertThat(connector(factory).getProperty("useInheritedChannel")).isEqualTo("true");
			});
	}

	@Test
	void eachWorkerWritesItsOwnAccessLogFile() {
		this.runner.withPropertyValues("prefork.role=worker", "prefork.worker.slot=3").run((context) -> {
			TomcatServletWebServerFactory factory = new TomcatServletWebServerFactory();
			AccessLogValve engineLog = new AccessLogValve();
			AccessLogValve contextLog = new AccessLogValve();
			contextLog.setPrefix("requests");
			factory.addEngineValves(engineLog);
			factory.addContextValves(contextLog);
			context.getBean(PreforkTomcatCustomizer.class).customize(factory);
			assertThat(engineLog.getPrefix()).isEqualTo("access_log.worker-3");
			assertThat(contextLog.getPrefix()).isEqualTo("requests.worker-3");
		});
	}

	@Test
	void aUnixDomainSocketPathFailsTheWorkerWithAnExplanation() {
		this.runner.withPropertyValues("prefork.role=worker", "prefork.worker.dispatch=shared-accept")
			.run((context) -> {
				TomcatServletWebServerFactory factory = new TomcatServletWebServerFactory();
				factory.addConnectorCustomizers(
						(connector) -> connector.setProperty("unixDomainSocketPath", "/run/app.sock"));
				context.getBean(PreforkTomcatCustomizer.class).customize(factory);
				assertThatExceptionOfType(PreforkException.class).isThrownBy(() -> connector(factory))
					.withMessageContaining("Unix domain socket /run/app.sock")
					.satisfies((ex) -> assertThat(ex.getAction()).contains("server.address"));
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

	// What Spring Boot does to its connector after the protocol handler customizers.
	private static Connector connector(TomcatServletWebServerFactory factory) {
		Connector connector = new Connector(Http11NioProtocol.class.getName());
		factory.getConnectorCustomizers().forEach((customizer) -> customizer.customize(connector));
		return connector;
	}

}
