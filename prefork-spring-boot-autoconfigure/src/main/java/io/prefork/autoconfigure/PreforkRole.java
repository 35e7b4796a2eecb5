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

	/** An ordinary Spring Boot application. */
	NONE;

	/** The property that tells the rest of the application which role this process has. */
	static final String PROPERTY = "prefork.role";

	static PreforkRole detect(SpringApplication application, Environment environment) {
		if (System.getenv(WorkerIdentity.ENVIRONMENT_VARIABLE) != null) {
			return WORKER;
		}
		boolean enabled = environment.getProperty("server.prefork.enabled", Boolean.class, true);
		// Spring's AOT processing and a class-data training run only need the context.
		boolean contextOnly = Boolean.getBoolean("spring.aot.processing")
				|| Boolean.getBoolean(PreforkSettings.Cds.TRAINING_PROPERTY);
		boolean servlet = application.getWebApplicationType() == WebApplicationType.SERVLET;
		return (enabled && !contextOnly && servlet && isLaunchedMain(application)) ? MASTER : NONE;
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
