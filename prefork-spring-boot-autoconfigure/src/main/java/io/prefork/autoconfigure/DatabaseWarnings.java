package io.prefork.autoconfigure;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.core.annotation.MergedAnnotation;
import org.springframework.core.annotation.MergedAnnotations;
import org.springframework.core.annotation.MergedAnnotations.SearchStrategy;
import org.springframework.core.env.Environment;

import io.prefork.SqlInitialization;

/**
 * What the master can tell, before any worker starts, about database settings whose meaning
 * changes when N processes run the application: an in-memory database (an H2, HSQLDB or
 * Derby {@code mem:} URL, or Spring Boot's embedded default when no URL is set) is private to
 * each worker, and database initialisation runs in every worker unless
 * {@code server.prefork.sql-init=first-worker}. Judged from the configuration and the class
 * path only: an application that defines its own {@code DataSource} is not seen.
 */
final class DatabaseWarnings {

	private static final Pattern IN_MEMORY_URL = Pattern.compile("(?i)jdbc:(h2:mem:|hsqldb:mem:|derby:memory:).*");

	private static final String DATA_SOURCE_AUTO_CONFIGURATION = "org.springframework.boot.jdbc.autoconfigure."
			+ "DataSourceAutoConfiguration";

	/** The drivers Spring Boot uses for its embedded database when no URL is set. */
	private static final List<String> EMBEDDED_DRIVERS = List.of("org.h2.Driver", "org.hsqldb.jdbc.JDBCDriver",
			"org.apache.derby.jdbc.EmbeddedDriver");

	private static final List<String> DEFAULT_SCRIPTS = List.of("schema.sql", "schema-all.sql", "data.sql",
			"data-all.sql");

	private final Environment environment;

	private final Set<String> excluded;

	private final ClassLoader classLoader;

	DatabaseWarnings(Environment environment, Class<?> mainClass, ClassLoader classLoader) {
		this.environment = environment;
		this.excluded = excludedAutoConfigurations(environment, mainClass);
		this.classLoader = classLoader;
	}

	/**
	 * Return the warnings for this configuration.
	 * @param sqlInit which workers initialise the database
	 * @return the warnings, each one line, empty if there is nothing to say
	 */
	List<String> warnings(SqlInitialization sqlInit) {
		List<String> warnings = new ArrayList<>();
		String inMemory = inMemoryDatabase();
		if (inMemory != null) {
			warnings.add("Each worker has its own private in-memory database (" + inMemory + "): data written "
					+ "through one worker is not seen by the others. Use a database server, or a file database "
					+ "the workers share (e.g. H2's jdbc:h2:file:...;AUTO_SERVER=TRUE).");
		}
		List<String> initialisers = initialisers();
		if (!initialisers.isEmpty() && sqlInit == SqlInitialization.EVERY_WORKER) {
			warnings.add("Database initialisation (" + String.join(", ", initialisers) + ") runs in every worker, at "
					+ "every start of a worker. Set server.prefork.sql-init=first-worker to run it in the first "
					+ "worker only, or make it idempotent.");
		}
		if (inMemory != null && sqlInit == SqlInitialization.FIRST_WORKER) {
			warnings.add("server.prefork.sql-init=first-worker leaves the private in-memory databases of the other "
					+ "workers uninitialised.");
		}
		return warnings;
	}

	private String inMemoryDatabase() {
		String url = this.environment.getProperty("spring.datasource.url");
		if (url != null) {
			return IN_MEMORY_URL.matcher(url.trim()).matches() ? url : null;
		}
		boolean embeddedDefault = dataSourceAutoConfigured()
				&& !"none".equalsIgnoreCase(this.environment.getProperty("spring.datasource.embedded-database-connection", ""));
		return embeddedDefault ? EMBEDDED_DRIVERS.stream()
			.filter(this::isPresent)
			.findFirst()
			.map((driver) -> "Spring Boot's embedded default with " + driver + ", no spring.datasource.url set")
			.orElse(null) : null;
	}

	private List<String> initialisers() {
		List<String> found = new ArrayList<>();
		if (dataSourceAutoConfigured() || this.environment.containsProperty("spring.datasource.url")) {
			String mode = this.environment.getProperty("spring.sql.init.mode", "embedded").toLowerCase(Locale.ROOT);
			if (mode.equals("always") && hasScripts()) {
				found.add("spring.sql.init.mode=always");
			}
			if ("always".equalsIgnoreCase(this.environment.getProperty("spring.session.jdbc.initialize-schema"))) {
				found.add("spring.session.jdbc.initialize-schema=always");
			}
			String ddlAuto = this.environment.getProperty("spring.jpa.hibernate.ddl-auto", "");
			if (Set.of("create", "create-drop", "update").contains(ddlAuto.toLowerCase(Locale.ROOT))) {
				found.add("spring.jpa.hibernate.ddl-auto=" + ddlAuto);
			}
		}
		addIfEnabled(found, "Flyway", "org.flywaydb.core.Flyway", "spring.flyway.enabled",
				"org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration");
		addIfEnabled(found, "Liquibase", "liquibase.integration.spring.SpringLiquibase", "spring.liquibase.enabled",
				"org.springframework.boot.liquibase.autoconfigure.LiquibaseAutoConfiguration");
		return found;
	}

	private void addIfEnabled(List<String> found, String name, String className, String enabledProperty,
			String autoConfiguration) {
		if (isPresent(className) && this.environment.getProperty(enabledProperty, Boolean.class, true)
				&& !this.excluded.contains(autoConfiguration)) {
			found.add(name);
		}
	}

	private boolean hasScripts() {
		Predicate<String> set = this.environment::containsProperty;
		return set.test("spring.sql.init.schema-locations") || set.test("spring.sql.init.data-locations")
				|| DEFAULT_SCRIPTS.stream().anyMatch((script) -> this.classLoader.getResource(script) != null);
	}

	private boolean dataSourceAutoConfigured() {
		return isPresent(DATA_SOURCE_AUTO_CONFIGURATION) && !this.excluded.contains(DATA_SOURCE_AUTO_CONFIGURATION);
	}

	private boolean isPresent(String className) {
		try {
			Class.forName(className, false, this.classLoader);
			return true;
		}
		catch (ClassNotFoundException | LinkageError ex) {
			return false;
		}
	}

	// spring.autoconfigure.exclude and the exclude attributes of @SpringBootApplication or
	// @EnableAutoConfiguration on the main class.
	private static Set<String> excludedAutoConfigurations(Environment environment, Class<?> mainClass) {
		Set<String> excluded = Arrays.stream(environment.getProperty("spring.autoconfigure.exclude", String[].class,
				new String[0]))
			.map(String::trim)
			.collect(Collectors.toSet());
		if (mainClass != null) {
			MergedAnnotation<EnableAutoConfiguration> annotation = MergedAnnotations
				.from(mainClass, SearchStrategy.TYPE_HIERARCHY)
				.get(EnableAutoConfiguration.class);
			if (annotation.isPresent()) {
				Arrays.stream(annotation.getClassArray("exclude")).map(Class::getName).forEach(excluded::add);
				excluded.addAll(Arrays.asList(annotation.getStringArray("excludeName")));
			}
		}
		return excluded;
	}

}
