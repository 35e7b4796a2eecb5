package io.prefork.autoconfigure;

import java.net.InetAddress;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.core.env.ConfigurableEnvironment;

import io.prefork.InvalidPropertyException;
import io.prefork.PreforkException;
import io.prefork.master.Master;

/**
 * Binds the master's settings from the environment and runs it, reporting a failure the
 * way Spring Boot reports one that stops an application from starting.
 */
final class MasterRunner {

	private static final Log logger = LogFactory.getLog(MasterRunner.class);

	private MasterRunner() {
	}

	/**
	 * Run the master until it stops.
	 * @param environment the application's environment
	 * @return the process exit code
	 */
	static int run(ConfigurableEnvironment environment) {
		try {
			Binder binder = Binder.get(environment);
			PreforkProperties properties = binder.bindOrCreate("server.prefork", PreforkProperties.class);
			InetAddress address = binder.bind("server.address", InetAddress.class).orElse(null);
			int port = binder.bind("server.port", Integer.class).orElse(8080);
			rejectSeparateManagementPort(binder, port);
			SpringServerSettings.apply(binder, properties).forEach(logger::warn);
			String sessionCookie = binder.bind("server.servlet.session.cookie.name", String.class).orElse(null);
			return Master.forThisProcess(properties.toSettings(address, port, sessionCookie)).run();
		}
		catch (PreforkException ex) {
			logger.error(PreforkFailureAnalyzer.report(ex), (ex.getCause() != null) ? ex.getCause() : null);
			return 1;
		}
		catch (BindException ex) {
			logger.error(PreforkFailureAnalyzer.report(bindFailure(ex)));
			return 1;
		}
		catch (RuntimeException ex) {
			logger.error("Prefork master failed", ex);
			return 1;
		}
	}

	// Every worker would try to bind the management port itself, and all but the first fail.
	private static void rejectSeparateManagementPort(Binder binder, int port) {
		Integer managementPort = binder.bind("management.server.port", Integer.class).orElse(null);
		// As Spring Boot decides: 0 is a separate random port even when server.port is 0 too.
		boolean separate = managementPort != null && managementPort != -1
				&& (managementPort == 0 || managementPort != port);
		if (separate) {
			throw new InvalidPropertyException("management.server.port", managementPort,
					"must be unset, -1 or equal to server.port: the prefork server does not support a separate "
							+ "management port yet (serve the actuator on server.port, or use the master's own "
							+ "status listener, server.prefork.status.*, for a port that answers even when "
							+ "workers are stuck)");
		}
	}

	// The same facts Spring Boot's own analysis of a bind failure gives.
	private static PreforkException bindFailure(BindException ex) {
		ConfigurationProperty property = ex.getProperty();
		Throwable reason = ex;
		while (reason.getCause() != null) {
			reason = reason.getCause();
		}
		String description = "Failed to bind properties under '" + ex.getName() + "' to " + ex.getTarget().getType()
				+ ":\n\n    Property: " + ex.getName()
				+ ((property != null) ? "\n    Value: \"" + property.getValue() + "\"\n    Origin: " + property.getOrigin()
						: "")
				+ "\n    Reason: " + reason.getMessage();
		return new PreforkException(description, "Update your application's configuration", ex);
	}

}
