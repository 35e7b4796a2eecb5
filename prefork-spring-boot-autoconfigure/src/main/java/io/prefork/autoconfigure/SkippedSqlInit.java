package io.prefork.autoconfigure;

import java.util.HashMap;
import java.util.Map;

import org.springframework.core.env.Environment;

/**
 * The properties that turn off Spring Boot's database initialisers in a worker that leaves
 * it to the first worker ({@code server.prefork.sql-init=first-worker}): SQL scripts,
 * Flyway, Liquibase, the schema scripts of Spring Session, Batch and Quartz, and schema
 * changes by Hibernate (validation stays, as it changes nothing).
 */
final class SkippedSqlInit {

	private SkippedSqlInit() {
	}

	/**
	 * Return the properties to put before the application's own.
	 * @param environment the application's environment
	 * @return the properties
	 */
	static Map<String, Object> properties(Environment environment) {
		Map<String, Object> properties = new HashMap<>();
		properties.put("spring.sql.init.mode", "never");
		properties.put("spring.flyway.enabled", "false");
		properties.put("spring.liquibase.enabled", "false");
		properties.put("spring.session.jdbc.initialize-schema", "never");
		properties.put("spring.batch.jdbc.initialize-schema", "never");
		properties.put("spring.quartz.jdbc.initialize-schema", "never");
		if (!"validate".equals(environment.getProperty("spring.jpa.hibernate.ddl-auto"))) {
			properties.put("spring.jpa.hibernate.ddl-auto", "none");
		}
		return properties;
	}

}
