package io.prefork.sample;

import java.net.Socket;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What only one dispatch mode has to prove.
 */
class DispatchModesIT {

	@Test
	void acceptOnCommandIsNotWedgedByClientsThatResetAtOnce() throws Exception {
		try (PreforkServer server = PreforkServer.start("--server.prefork.dispatch=accept-on-command",
				"--server.prefork.workers=1", "--server.prefork.timeouts.handoff=3s")) {
			server.awaitWorkersReady(1);
			long worker = RawHttp.getOnce(server.port(), "/hello").pid();
			for (int i = 0; i < 20; i++) {
				try (Socket socket = new Socket("127.0.0.1", server.port())) {
					// Close with RST: the connection is gone before anyone accepts it.
					socket.setSoLinger(true, 0);
				}
			}
			for (int i = 0; i < 5; i++) {
				RawHttp.Response response = RawHttp.getOnce(server.port(), "/hello");
				assertThat(response.status()).isEqualTo(200);
				assertThat(response.pid()).as("served by the same, never killed worker").isEqualTo(worker);
			}
			assertThat(server.output()).doesNotContain("killing it");
		}
	}

	@Test
	void sharedAcceptServesWithoutTheMasterHandingOverAnyConnection() throws Exception {
		try (PreforkServer server = PreforkServer.start("--server.prefork.dispatch=shared-accept")) {
			server.awaitWorkersReady(2);
			Set<Long> pids = new HashSet<>();
			for (int i = 0; i < 20; i++) {
				RawHttp.Response response = RawHttp.getOnce(server.port(), "/hello");
				assertThat(response.status()).isEqualTo(200);
				pids.add(response.pid());
			}
			assertThat(pids).doesNotContain(server.pid());
			server.close();
			assertThat(server.countInOutput(" after ")).as("worker exit lines").isEqualTo(2);
			assertThat(server.countInOutput(" and 0 connections")).as("connections the master handed over")
				.isEqualTo(2);
		}
	}

}
