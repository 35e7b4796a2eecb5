package io.prefork.sample;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * TLS terminated in the workers, on connections the master hands over (or that they accept
 * themselves), with HTTP/2 negotiated by ALPN: Spring Boot's {@code server.ssl.*} and SSL
 * bundles, one server per dispatch mode.
 */
@ParameterizedClass(name = "dispatch {0}, {1}")
@CsvSource({ "pass-fd, server.ssl", "accept-on-command, pem-bundle", "shared-accept, jks-bundle" })
class TlsIT {

	@TempDir
	private static Path directory;

	private static SelfSignedCertificate certificate;

	private static PreforkServer server;

	private static HttpClient client;

	@Parameter(0)
	private String dispatch;

	@Parameter(1)
	private String ssl;

	@BeforeParameterizedClassInvocation
	static void start(String dispatch, String ssl) throws Exception {
		if (certificate == null) {
			certificate = SelfSignedCertificate.create(directory);
		}
		List<String> arguments = new ArrayList<>(certificate.serverArguments(ssl));
		arguments.add("--server.prefork.dispatch=" + dispatch);
		arguments.add("--server.http2.enabled=true");
		server = PreforkServer.start(arguments.toArray(String[]::new));
		server.awaitWorkersReady(2);
		client = HttpClient.newBuilder()
			.sslContext(certificate.trustingClient())
			.connectTimeout(Duration.ofSeconds(30))
			.build();
	}

	@AfterParameterizedClassInvocation
	static void stop() {
		if (server != null) {
			server.close();
		}
	}

	@Test
	void aWorkerAnswersOverHttp2NegotiatedWithAlpn() throws Exception {
		HttpResponse<String> response = get("/hello", HttpClient.Version.HTTP_2);
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
		assertThat(response.sslSession().orElseThrow().getPeerCertificates()[0]).isEqualTo(certificate.certificate());
		long pid = RawHttp.Response.pidOf(response.body());
		assertThat(server.workerPids()).contains(pid);
		assertThat(pid).isNotEqualTo(server.pid());
	}

	@Test
	void http11OverTlsSeesTheRealClient() throws Exception {
		HttpResponse<String> response = get("/client", HttpClient.Version.HTTP_1_1);
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
		assertThat(response.body()).contains("\"address\":\"127.0.0.1\"");
	}

	@Test
	void plainHttpOnTheTlsPortIsAnsweredWithBadRequest() throws Exception {
		// Tomcat recognises a plain-text request on a TLS connector: proof that the worker,
		// not the master, reads the first bytes of the connection.
		RawHttp.Response response = RawHttp.getOnce(server.port(), "/hello");
		assertThat(response.status()).isEqualTo(400);
		assertThat(response.body()).contains("requires TLS");
	}

	@Test
	void theWorkersReportTheMastersRandomPort() throws Exception {
		String body = get("/web-server", HttpClient.Version.HTTP_2).body();
		assertThat(body).contains("\"localServerPort\":" + server.port())
			.contains("\"initializedPort\":" + server.port());
	}

	private HttpResponse<String> get(String path, HttpClient.Version version) throws Exception {
		HttpRequest request = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + path))
			.version(version)
			.timeout(Duration.ofSeconds(30))
			.build();
		return client.send(request, HttpResponse.BodyHandlers.ofString());
	}

}
