package io.prefork.sample;

import java.io.IOException;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@code @SpringBootTest} stays an ordinary in-process application: the prefork master
 * takes over only a real launch of the application's main method.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class SampleApplicationTests {

	@LocalServerPort
	private int port;

	@Test
	void servesInProcess() throws IOException {
		RawHttp.Response response = RawHttp.getOnce(this.port, "/hello");
		assertThat(response.status()).isEqualTo(200);
		assertThat(response.pid()).isEqualTo(ProcessHandle.current().pid());
		assertThat(response.body()).contains("\"slot\":-1");
	}

	@Test
	void cpuEndpointWorksForTheRequestedTime() throws IOException {
		assertThat(RawHttp.getOnce(this.port, "/cpu?ms=20").body()).contains("\"cpuMs\":20");
	}

}
