package io.prefork.sample;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Database settings whose meaning changes with N workers (issue 19): the master's warnings,
 * and SQL initialisation run by the first worker only.
 */
class DatabaseSettingsIT {

	private static final String IN_MEMORY = "Each worker has its own private in-memory database";

	private static final String EVERY_WORKER = "runs in every worker";

	@Test
	void firstWorkerInitialisesTheSharedDatabaseOncePerPoolStart(@TempDir Path store) throws Exception {
		Path database = store.resolve("sql-init");
		try (PreforkServer server = PreforkServer.start("--spring.profiles.active=sql-init",
				"--sample.sql-init.h2-file=" + database)) {
			server.awaitWorkersReady(2);
			String output = server.output();
			assertThat(output).doesNotContain(IN_MEMORY).doesNotContain(EVERY_WORKER);
			assertThat(server.countInOutput("initialises the database alone")).isEqualTo(1);
			// The master started worker 1 only once worker 0 was ready.
			assertThat(output.indexOf("Spawned worker 1 ")).isGreaterThan(output.indexOf("worker 0 pid"))
				.isGreaterThan(output.indexOf(" ready in "));
		}
		assertThat(initialisationRuns(database)).as("data.sql runs").isEqualTo(1);
	}

	@Test
	void theMasterWarnsAboutAnInMemoryDatabaseAndInitialisationInEveryWorker() throws Exception {
		// Only the master's warnings matter: a port already taken stops it right after them,
		// before any worker starts.
		try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
				PreforkServer server = PreforkServer.startWithoutWaiting("--spring.profiles.active=sql-init",
						"--server.port=" + taken.getLocalPort(), "--spring.datasource.url=jdbc:h2:mem:sample",
						"--server.prefork.sql-init=every-worker")) {
			server.awaitTrue("the master to exit", PreforkServer.STARTUP, () -> !server.process().isAlive());
			assertThat(server.countInOutput(IN_MEMORY + " (jdbc:h2:mem:sample)")).isEqualTo(1);
			assertThat(server.countInOutput("Database initialisation (spring.sql.init.mode=always) " + EVERY_WORKER))
				.isEqualTo(1);
		}
	}

	private static int initialisationRuns(Path database) throws Exception {
		try (Connection connection = DriverManager.getConnection("jdbc:h2:file:" + database, "sa", "");
				Statement statement = connection.createStatement();
				ResultSet result = statement.executeQuery("SELECT COUNT(*) FROM sql_init_runs")) {
			result.next();
			return result.getInt(1);
		}
	}

}
