package io.prefork.autoconfigure;

import java.io.IOException;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.core.env.Environment;

import io.prefork.PreforkSettings;
import io.prefork.protocol.WorkerIdentity;

/**
 * What this process is in a prefork server. Only the application launched through its own
 * main method becomes a master, so every {@code @SpringBootTest} and every
 * {@code SpringApplication.run} inside another program stays an ordinary in-process app.
 */
enum PreforkRole {

	/** Owns the socket and the pool; never creates the application's beans. */
	MASTER,

	/** Runs the application on connections handed over by the master. */
	WORKER,

	/**
	 * Trains the workers' class-data archive: the workers' command line, run until the
	 * context is refreshed or, when workers warm up, through that warm-up on a private
	 * loopback port ({@link ClassDataTrainingRun}).
	 */
	TRAINING,

	/** An ordinary Spring Boot application. */
	NONE;

	/** The property that tells the rest of the application which role this process has. */
	static final String PROPERTY = "prefork.role";

	static PreforkRole detect(SpringApplication application, Environment environment) {
		if (System.getenv(WorkerIdentity.ENVIRONMENT_VARIABLE) != null) {
			return WORKER;
		}
		boolean enabled = environment.getProperty("server.prefork.enabled", Boolean.class, true);
		// Spring's AOT processing only needs the context.
		boolean aotProcessing = Boolean.getBoolean("spring.aot.processing");
		boolean servlet = application.getWebApplicationType() == WebApplicationType.SERVLET;
		if (!enabled || aotProcessing || !servlet || !isLaunchedMain(application)) {
			return NONE;
		}
		return Boolean.getBoolean(PreforkSettings.Cds.TRAINING_PROPERTY) ? TRAINING : MASTER;
	}

	static PreforkRole of(Environment environment) {
		String role = environment.getProperty(PROPERTY);
		return (role != null) ? valueOf(role.toUpperCase(java.util.Locale.ROOT)) : NONE;
	}

	private static boolean isLaunchedMain(SpringApplication application) {
		Class<?> mainClass = application.getMainApplicationClass();
		return mainClass != null && mainClass.getName().equals(launchedClassName());
	}

	// The first token of sun.java.command is the main class, or the jar for 'java -jar'
	// (whose class path is then exactly that jar).
	private static String launchedClassName() {
		String command = System.getProperty("sun.java.command", "").trim();
		String first = command.isEmpty() ? "" : command.split("\\s+")[0];
		if (!first.endsWith(".jar")) {
			return first;
		}
		try (JarFile jar = new JarFile(System.getProperty("java.class.path"))) {
			Manifest manifest = jar.getManifest();
			String startClass = (manifest != null) ? manifest.getMainAttributes().getValue("Start-Class") : null;
			return (startClass != null) ? startClass
					: (manifest != null) ? manifest.getMainAttributes().getValue("Main-Class") : null;
		}
		catch (IOException ex) {
			return null;
		}
	}

}
