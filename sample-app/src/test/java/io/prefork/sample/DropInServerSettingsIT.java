package io.prefork.sample;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spring Boot's own {@code server.*} settings, unchanged, on one real prefork server (pass-fd
 * dispatch, two workers, a random port): each test checks one of them; the last one stops
 * the server gracefully. Settings that need a server of their own come just before it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DropInServerSettingsIT {

	private static final Pattern ACCESS_LOG = Pattern.compile("access_log\\.worker-(\\d+)\\.\\d{4}-\\d{2}-\\d{2}\\.log");

	@TempDir
	private static Path accessLogs;

	private static PreforkServer server;

	private static final HttpClient client = HttpClient.newBuilder()
		.version(HttpClient.Version.HTTP_1_1)
		.connectTimeout(Duration.ofSeconds(30))
		.build();

	@BeforeAll
	static void start() throws IOException {
		server = PreforkServer.start("--server.servlet.context-path=/app", "--server.compression.enabled=true",
				"--server.compression.min-response-size=1B", "--server.max-http-request-header-size=2KB",
				"--server.forward-headers-strategy=native", "--server.http2.enabled=true",
				"--server.server-header=prefork-sample", "--server.tomcat.max-keep-alive-requests=2",
				"--server.tomcat.accesslog.enabled=true", "--server.tomcat.accesslog.directory=" + accessLogs,
				"--server.tomcat.accesslog.buffered=false", "--server.tomcat.threads.max=77",
				"--server.tomcat.accept-count=33", "--server.prefork.worker.threads=9",
				"--server.prefork.worker.max-connections=40", "--server.shutdown=graceful",
				"--spring.lifecycle.timeout-per-shutdown-phase=20s");
		server.awaitWorkersReady(2);
	}

	@AfterAll
	static void stop() {
		if (server != null) {
			server.close();
		}
	}

	@Test
	@Order(1)
	void theContextPathApplies() throws Exception {
		HttpResponse<String> hello = get("/app/hello", Map.of());
		assertThat(hello.statusCode()).isEqualTo(200);
		assertThat(server.workerPids()).contains(RawHttp.Response.pidOf(hello.body()));
		assertThat(get("/hello", Map.of()).statusCode()).isEqualTo(404);
	}

	@Test
	@Order(2)
	void responsesAreCompressedForClientsThatAcceptGzip() throws Exception {
		HttpRequest request = request("/app/hello", Map.of("Accept-Encoding", "gzip")).build();
		HttpResponse<byte[]> gzipped = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
		assertThat(gzipped.headers().firstValue("Content-Encoding")).hasValue("gzip");
		try (GZIPInputStream body = new GZIPInputStream(new ByteArrayInputStream(gzipped.body()))) {
			assertThat(new String(body.readAllBytes(), StandardCharsets.UTF_8)).contains("\"message\":\"hello\"");
		}
		HttpResponse<String> plain = get("/app/hello", Map.of());
		assertThat(plain.headers().firstValue("Content-Encoding")).isEmpty();
		assertThat(plain.body()).contains("\"message\":\"hello\"");
	}

	@Test
	@Order(3)
	void aRequestHeaderOverTheMaximumSizeIsRefused() throws Exception {
		assertThat(get("/app/hello", Map.of("X-Padding", "a".repeat(1000))).statusCode()).isEqualTo(200);
		// 3000 bytes are well under Tomcat's default of 8 KB, over the 2 KB configured.
		assertThat(get("/app/hello", Map.of("X-Padding", "a".repeat(3000))).statusCode()).isEqualTo(400);
	}

	@Test
	@Order(4)
	void errorsGetSpringBootsErrorPages() throws Exception {
		HttpResponse<String> json = get("/app/no-such-page", Map.of("Accept", "application/json"));
		assertThat(json.statusCode()).isEqualTo(404);
		assertThat(json.body()).contains("\"status\":404").contains("\"path\":\"/app/no-such-page\"");
		HttpResponse<String> html = get("/app/no-such-page", Map.of("Accept", "text/html"));
		assertThat(html.statusCode()).isEqualTo(404);
		assertThat(html.body()).contains("Whitelabel Error Page");
	}

	@Test
	@Order(5)
	void forwardedHeadersGiveTheOriginalClientAddress() throws Exception {
		assertThat(get("/app/client", Map.of("X-Forwarded-For", "203.0.113.7")).body())
			.contains("\"address\":\"203.0.113.7\"");
		// The master passes the client's own socket: without the header, the real peer.
		assertThat(get("/app/client", Map.of()).body()).contains("\"address\":\"127.0.0.1\"");
	}

	@Test
	@Order(6)
	void eachWorkerWritesItsOwnAccessLog() throws Exception {
		Map<Integer, Integer> slotOfRequest = new HashMap<>();
		for (int id = 0; id < 20; id++) {
			RawHttp.Response response = RawHttp.getOnce(server.port(), "/app/hello?id=" + id);
			Matcher slot = Pattern.compile("\"slot\":(\\d+)").matcher(response.body());
			assertThat(slot.find()).as("slot in %s", response.body()).isTrue();
			slotOfRequest.put(id, Integer.parseInt(slot.group(1)));
		}
		server.awaitTrue("every request in the access log of the worker that served it", Duration.ofSeconds(30),
				() -> slotOfRequest.entrySet()
					.stream()
					.allMatch((entry) -> accessLogOfSlot(entry.getValue())
						.contains("\"GET /app/hello?id=" + entry.getKey() + " HTTP/1.1\" 200")));
		for (Map.Entry<Integer, Integer> entry : slotOfRequest.entrySet()) {
			for (int otherSlot : List.of(0, 1)) {
				if (otherSlot != entry.getValue()) {
					assertThat(accessLogOfSlot(otherSlot)).doesNotContain("/app/hello?id=" + entry.getKey() + " ");
				}
			}
		}
	}

	@Test
	@Order(7)
	void theWorkerLimitsReplaceTomcatsAndTheMasterSaysSo() throws Exception {
		String webServer = get("/app/web-server", Map.of()).body();
		assertThat(webServer).contains("\"maxThreads\":9").contains("\"maxConnections\":41");
		assertThat(server.output())
			.contains("server.tomcat.threads.max=77 is replaced by server.prefork.worker.threads=9 in each worker")
			.contains("server.tomcat.accept-count=33 has no effect");
	}

	@Test
	@Order(8)
	void theWorkersReportTheMastersRandomPort() throws Exception {
		String webServer = get("/app/web-server", Map.of()).body();
		assertThat(webServer).contains("\"localServerPort\":" + server.port())
			.contains("\"initializedPort\":" + server.port());
	}

	@Test
	@Order(9)
	void http2WithoutTlsUpgradesFromHttp11() throws Exception {
		HttpClient http2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
		HttpResponse<String> response = http2.send(request("/app/hello", Map.of()).build(),
				HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
	}

	@Test
	@Order(10)
	void http2WithoutTlsAcceptsPriorKnowledge() throws Exception {
		try (RawHttp http = new RawHttp(server.port())) {
			// The client connection preface, then an empty SETTINGS frame (RFC 9113, 3.4).
			OutputStream out = http.socket().getOutputStream();
			out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
			out.write(new byte[] { 0, 0, 0, 4, 0, 0, 0, 0, 0 });
			byte[] frameHeader = http.socket().getInputStream().readNBytes(9);
			assertThat(frameHeader).hasSize(9);
			assertThat(frameHeader[3]).as("type of the server's first frame (4 = SETTINGS)").isEqualTo((byte) 4);
		}
	}

	@Test
	@Order(11)
	void theServerHeaderAndKeepAliveLimitApply() throws Exception {
		try (RawHttp http = new RawHttp(server.port())) {
			RawHttp.Response first = http.get("/app/hello", false);
			assertThat(first.header("Server")).isEqualTo("prefork-sample");
			assertThat(first.header("Connection")).isNull();
			RawHttp.Response second = http.get("/app/hello", false);
			assertThat(second.header("Connection")).isEqualTo("close");
			assertThat(http.readsEndOfStream()).isTrue();
		}
	}

	@Test
	@Order(12)
	void withAnImmediateShutdownSigtermCutsAnInFlightRequestShort() throws Exception {
		try (PreforkServer immediate = PreforkServer.start("--server.shutdown=immediate",
				"--server.prefork.workers=1")) {
			immediate.awaitWorkersReady(1);
			try (RawHttp slow = new RawHttp(immediate.port())) {
				slow.send("/sleep?ms=20000", true);
				immediate.awaitTrue("GET /sleep running in the worker", Duration.ofSeconds(30),
						() -> RawHttp.getOnceQuietly(immediate.port(), "/actuator/prefork").contains("GET /sleep"));
				long signalled = System.nanoTime();
				immediate.signal("TERM");
				assertThat(slow.readsEndOfStream()).as("connection closed without an answer").isTrue();
				assertThat(Duration.ofNanos(System.nanoTime() - signalled)).isLessThan(Duration.ofSeconds(15));
			}
			assertThat(immediate.process().waitFor(60, TimeUnit.SECONDS)).as("master exited").isTrue();
			assertThat(immediate.process().exitValue()).isZero();
			assertThat(immediate.output()).doesNotContain("Commencing graceful shutdown");
		}
	}

	@Test
	@Order(13)
	void sigtermLetsAnInFlightRequestFinish() throws Exception {
		try (RawHttp slow = new RawHttp(server.port())) {
			slow.send("/app/sleep?ms=3000", true);
			server.awaitTrue("GET /app/sleep running in a worker", Duration.ofSeconds(30),
					() -> RawHttp.getOnceQuietly(server.port(), "/app/actuator/prefork").contains("GET /app/sleep"));
			server.signal("TERM");
			RawHttp.Response response = slow.read();
			assertThat(response.status()).isEqualTo(200);
			assertThat(response.body()).contains("\"sleptMs\":3000");
		}
		assertThat(server.process().waitFor(60, TimeUnit.SECONDS)).as("master exited").isTrue();
		assertThat(server.process().exitValue()).isZero();
		// spring.lifecycle.timeout-per-shutdown-phase (20 s) plus 10 s for the rest of the close.
		assertThat(server.output()).contains("SIGTERM: stopping").contains("waiting up to 30.0 s")
			.contains("Commencing graceful shutdown");
	}

	private static HttpResponse<String> get(String path, Map<String, String> headers) throws Exception {
		return client.send(request(path, headers).build(), HttpResponse.BodyHandlers.ofString());
	}

	private static HttpRequest.Builder request(String path, Map<String, String> headers) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
			.timeout(Duration.ofSeconds(30));
		headers.forEach(request::header);
		return request;
	}

	private static String accessLogOfSlot(int slot) {
		try (Stream<Path> files = Files.list(accessLogs)) {
			StringBuilder lines = new StringBuilder();
			for (Path file : files.toList()) {
				Matcher name = ACCESS_LOG.matcher(file.getFileName().toString());
				if (name.matches() && Integer.parseInt(name.group(1)) == slot) {
					lines.append(Files.readString(file));
				}
			}
			return lines.toString();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
