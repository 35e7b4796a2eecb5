package io.prefork.sample;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The robust path for sessions: the sample's shared-sessions profile keeps them in Spring
 * Session's JDBC store, which every worker reaches, so any worker serves any session and a
 * killed worker takes none with it.
 */
class SharedSessionsIT {

	private static final JsonMapper json = JsonMapper.builder().build();

	@Test
	void everyWorkerServesTheSessionAndItOutlivesTheWorkerThatMadeIt(@TempDir Path store) throws Exception {
		// WRITE_DELAY=0: the worker serving the file writes each commit at once; by default H2
		// writes up to a second later, and the kill -9 below would lose the session it made.
		String url = "jdbc:h2:file:" + store.resolve("sessions") + ";AUTO_SERVER=TRUE;AUTO_RECONNECT=TRUE;WRITE_DELAY=0";
		try (PreforkServer server = PreforkServer.start("--spring.profiles.active=shared-sessions",
				"--spring.datasource.url=" + url)) {
			server.awaitWorkersReady(2);
			String cookie;
			long maker;
			try (RawHttp http = new RawHttp(server.port())) {
				http.send("POST", "/session?value=shared", true);
				RawHttp.Response stored = http.read();
				assertThat(stored.status()).isEqualTo(200);
				cookie = stored.header("Set-Cookie").split(";")[0];
				maker = stored.pid();
			}
			assertThat(cookie).as("Spring Session's cookie").startsWith("SESSION=");
			Set<Long> readers = new HashSet<>();
			for (int i = 0; i < 20; i++) {
				JsonNode read = read(server.port(), cookie);
				assertThat(read.get("value").asString()).as("value on new connection %d", i).isEqualTo("shared");
				readers.add(read.get("pid").asLong());
			}
			assertThat(readers).as("workers that served the session").hasSize(2);
			int readyBefore = server.countInOutput(" ready in ");
			new ProcessBuilder("kill", "-9", Long.toString(maker)).start().waitFor();
			server.awaitWorkersReady(readyBefore + 1);
			for (int i = 0; i < 10; i++) {
				JsonNode read = read(server.port(), cookie);
				assertThat(read.get("value").asString()).as("value after its worker was killed").isEqualTo("shared");
				assertThat(read.get("pid").asLong()).isNotEqualTo(maker);
			}
		}
		assertThat(store.toFile().list()).as("the H2 store was used").isNotEmpty();
	}

	private static JsonNode read(int port, String cookie) throws IOException {
		try (RawHttp http = new RawHttp(port)) {
			http.send("GET", "/session", true, "Cookie: " + cookie);
			RawHttp.Response response = http.read();
			assertThat(response.status()).as("GET /session: %s", response.head()).isEqualTo(200);
			return json.readTree(response.body());
		}
	}

}
