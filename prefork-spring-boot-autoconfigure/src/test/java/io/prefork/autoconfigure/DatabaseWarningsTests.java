package io.prefork.autoconfigure;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.mock.env.MockEnvironment;

import io.prefork.SqlInitialization;

import static org.assertj.core.api.Assertions.assertThat;

class DatabaseWarningsTests {

	@Test
	void anInMemoryUrlIsPrivateToEachWorker() {
		for (String url : List.of("jdbc:h2:mem:test", "jdbc:hsqldb:mem:db", "jdbc:derby:memory:db;create=true")) {
			assertThat(warnings(new MockEnvironment().withProperty("spring.datasource.url", url),
					SqlInitialization.EVERY_WORKER))
				.singleElement()
				.asString()
				.startsWith("Each worker has its own private in-memory database (" + url + ")");
		}
	}

	@Test
	void aFileOrServerDatabaseIsShared() {
		for (String url : List.of("jdbc:h2:file:/tmp/db;AUTO_SERVER=TRUE", "jdbc:postgresql://localhost/db")) {
			assertThat(warnings(new MockEnvironment().withProperty("spring.datasource.url", url),
					SqlInitialization.EVERY_WORKER))
				.isEmpty();
		}
	}

	@Test
	void sqlInitialisationThatRunsInEveryWorker() {
		MockEnvironment environment = new MockEnvironment().withProperty("spring.datasource.url", "jdbc:h2:file:/tmp/db")
			.withProperty("spring.sql.init.mode", "always")
			.withProperty("spring.sql.init.schema-locations", "classpath:db/schema.sql")
			.withProperty("spring.session.jdbc.initialize-schema", "always")
			.withProperty("spring.jpa.hibernate.ddl-auto", "update");
		assertThat(warnings(environment, SqlInitialization.EVERY_WORKER)).singleElement()
			.asString()
			.startsWith("Database initialisation (spring.sql.init.mode=always, "
					+ "spring.session.jdbc.initialize-schema=always, spring.jpa.hibernate.ddl-auto=update) runs in "
					+ "every worker")
			.contains("server.prefork.sql-init=first-worker");
		assertThat(warnings(environment, SqlInitialization.FIRST_WORKER)).isEmpty();
	}

	@Test
	void scriptsThatDoNotExistDoNotRun() {
		assertThat(warnings(new MockEnvironment().withProperty("spring.datasource.url", "jdbc:h2:file:/tmp/db")
			.withProperty("spring.sql.init.mode", "always"), SqlInitialization.EVERY_WORKER)).isEmpty();
	}

	@Test
	void firstWorkerWithInMemoryDatabasesLeavesTheOthersEmpty() {
		assertThat(warnings(new MockEnvironment().withProperty("spring.datasource.url", "jdbc:h2:mem:test"),
				SqlInitialization.FIRST_WORKER))
			.hasSize(2)
			.last()
			.asString()
			.contains("uninitialised");
	}

	private static List<String> warnings(MockEnvironment environment, SqlInitialization sqlInit) {
		return new DatabaseWarnings(environment, null, DatabaseWarningsTests.class.getClassLoader()).warnings(sqlInit);
	}

}
