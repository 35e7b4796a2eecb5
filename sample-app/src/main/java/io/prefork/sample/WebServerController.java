package io.prefork.sample;

import java.util.Map;

import org.apache.coyote.AbstractProtocol;

import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.WebServer;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.Environment;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * What this process's web server reports about itself: the port Spring Boot publishes
 * ({@code local.server.port} and {@link WebServerInitializedEvent}) and the limits its
 * Tomcat connector runs with.
 */
@RestController
class WebServerController implements ApplicationListener<WebServerInitializedEvent> {

	private final Environment environment;

	private volatile WebServer webServer;

	private volatile int initializedPort = -1;

	WebServerController(Environment environment) {
		this.environment = environment;
	}

	@Override
	public void onApplicationEvent(WebServerInitializedEvent event) {
		if (event.getApplicationContext().getServerNamespace() == null) {
			this.webServer = event.getWebServer();
			this.initializedPort = event.getWebServer().getPort();
		}
	}

	@GetMapping("/web-server")
	Map<String, Object> webServer() {
		AbstractProtocol<?> protocol = (AbstractProtocol<?>) ((TomcatWebServer) this.webServer).getTomcat()
			.getConnector()
			.getProtocolHandler();
		return Map.of("localServerPort", this.environment.getProperty("local.server.port", Integer.class, -1),
				"initializedPort", this.initializedPort, "maxThreads", protocol.getMaxThreads(), "maxConnections",
				protocol.getMaxConnections(), "pid", ProcessHandle.current().pid());
	}

}
