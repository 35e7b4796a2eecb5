package io.prefork.autoconfigure;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;

import io.prefork.PreforkSettings;
import io.prefork.worker.Warmup;

/**
 * The JVM that trains the workers' class-data archive, when workers warm up: it runs the
 * application on a private loopback port, sends itself the workers' warm-up once the
 * application is ready, and exits, which writes the archive. So the archive holds the
 * classes serving loads, not only those of the start-up, and on JDK 25 the AOT cache holds
 * the request path's method profiles, with which a new worker compiles hot code sooner.
 * Without a warm-up the master ends the training run at the context refresh instead.
 */
final class ClassDataTrainingRun {

	private static final Log logger = LogFactory.getLog(ClassDataTrainingRun.class);

	private ClassDataTrainingRun() {
	}

	/**
	 * Return the settings that keep the training run to itself: the application's server
	 * (and a separate management server) on ephemeral loopback ports, never the ports the
	 * master listens on, and in plain HTTP, which the warm-up speaks.
	 * @param environment the environment
	 * @return the properties to put first
	 */
	static Map<String, Object> properties(Environment environment) {
		Map<String, Object> properties = new HashMap<>();
		properties.put("server.address", InetAddress.getLoopbackAddress().getHostAddress());
		properties.put("server.port", 0);
		properties.put("server.ssl.enabled", false);
		Integer managementPort = environment.getProperty("management.server.port", Integer.class);
		if (managementPort != null && managementPort >= 0) {
			properties.put("management.server.address", InetAddress.getLoopbackAddress().getHostAddress());
			properties.put("management.server.port", 0);
			properties.put("management.server.ssl.enabled", false);
		}
		return properties;
	}

	/**
	 * Send the workers' warm-up to this application, then close it.
	 * @param context the ready application
	 * @return the exit code for the JVM
	 */
	static int warmUpAndClose(ConfigurableApplicationContext context) {
		PreforkSettings.Warmup plan = Binder.get(context.getEnvironment())
			.bindOrCreate("server.prefork", PreforkProperties.class)
			.getWorker()
			.getWarmup()
			.toSettings();
		if (plan.enabled() && context instanceof WebServerApplicationContext web) {
			InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(),
					web.getWebServer().getPort());
			Warmup.Result result = Warmup.toAddress(plan, address, "prefork-cds-training-warmup");
			logger.info("Class-data training warm-up: " + result.describe(plan) + "; exiting to write the archive");
		}
		return SpringApplication.exit(context);
	}

}
