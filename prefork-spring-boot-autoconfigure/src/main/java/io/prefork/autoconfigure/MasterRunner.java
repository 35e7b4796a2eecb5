package io.prefork.autoconfigure;

import java.net.InetAddress;
import java.util.List;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.ConfigurableEnvironment;

import io.prefork.PreforkException;
import io.prefork.PreforkSettings;
import io.prefork.master.LeanMaster;
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
	 * @param mainClass the application's main class, or {@code null}
	 * @return the process exit code
	 */
	static int run(ConfigurableEnvironment environment, Class<?> mainClass) {
		try {
			Binder binder = Binder.get(environment);
			PreforkProperties properties = binder.bindOrCreate("server.prefork", PreforkProperties.class);
			InetAddress address = binder.bind("server.address", InetAddress.class).orElse(null);
			int port = binder.bind("server.port", Integer.class).orElse(8080);
			SpringServerSettings.apply(binder, properties).forEach(logger::warn);
			String sessionCookie = binder.bind("server.servlet.session.cookie.name", String.class).orElse(null);
			PreforkSettings settings = properties.toSettings(address, port, sessionCookie)
				.withManagement(ManagementPort.bind(binder, port));
			becomeLean(properties.getMaster().toSettings());
			// Once, by the JVM that stays the master.
			MasterBanner.print(environment, mainClass);
			new DatabaseWarnings(environment, mainClass, MasterRunner.class.getClassLoader())
				.warnings(properties.getSqlInit())
				.forEach(logger::warn);
			return Master.forThisProcess(settings).reopeningLogsWith(LogFiles::reopen).run();
		}
		catch (PreforkException ex) {
			logger.error(PreforkFailureAnalyzer.report(ex), (ex.getCause() != null) ? ex.getCause() : null);
			return 1;
		}
		catch (BindException ex) {
			logger.error(PreforkFailureAnalyzer.report(BindFailures.describe(ex)));
			return 1;
		}
		catch (RuntimeException ex) {
			logger.error("Prefork master failed", ex);
			return 1;
		}
	}

	// Every setting is valid by now, so a mistake is reported once, by the JVM as started.
	private static void becomeLean(PreforkSettings.MasterJvm settings) {
		List<String> added = LeanMaster.addedOptions();
		if (!added.isEmpty()) {
			logger.info("Lean master JVM (server.prefork.master.lean): " + String.join(" ", added));
			return;
		}
		String why = "The master keeps the JVM it was started with: " + LeanMaster.reexecute(settings);
		if (settings.lean()) {
			logger.info(why);
		}
		else {
			logger.debug(why);
		}
	}

}
