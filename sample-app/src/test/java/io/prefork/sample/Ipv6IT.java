package io.prefork.sample;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code server.address=::1}: the master listens on IPv6 loopback and workers serve those
 * connections, with Spring's own forwarded-header handling
 * ({@code server.forward-headers-strategy=framework}).
 */
class Ipv6IT {

	private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();

	@ParameterizedTest(name = "dispatch {0}")
	@ValueSource(strings = { "pass-fd", "shared-accept" })
	void workersServeTheIpv6LoopbackAddress(String dispatch) throws Exception {
		try (PreforkServer server = PreforkServer.start("--server.address=::1", "--server.prefork.dispatch=" + dispatch,
				"--server.forward-headers-strategy=framework")) {
			server.awaitWorkersReady(2);
			assertThat(server.output()).contains("listening on 0:0:0:0:0:0:0:1:" + server.port());
			HttpResponse<String> client = get(server, "/client", null);
			assertThat(client.statusCode()).isEqualTo(200);
			assertThat(client.body()).contains("\"address\":\"0:0:0:0:0:0:0:1\"");
			assertThat(server.workerPids()).contains(RawHttp.Response.pidOf(client.body()));
			assertThat(get(server, "/client", "203.0.113.9").body()).contains("\"address\":\"203.0.113.9\"");
		}
	}

	private HttpResponse<String> get(PreforkServer server, String path, String forwardedFor) throws Exception {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://[::1]:" + server.port() + path))
			.timeout(Duration.ofSeconds(30));
		if (forwardedFor != null) {
			request.header("X-Forwarded-For", forwardedFor);
		}
		return this.client.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

}
