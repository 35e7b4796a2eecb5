package io.prefork.master;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.prefork.PreforkException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class SocketActivationTests {

	private static final long PID = 4242;

	private static final long PARENT = 4000;

	@Test
	void noSocketsWithoutTheVariables() {
		assertThat(SocketActivation.of(Map.of(), PID, PARENT)).isEqualTo(SocketActivation.NONE);
		assertThat(SocketActivation.NONE.any()).isFalse();
	}

	@Test
	void ignoresSocketsMeantForAnotherProcess() {
		assertThat(SocketActivation.of(Map.of("LISTEN_FDS", "1", "LISTEN_PID", "17"), PID, PARENT))
			.isEqualTo(SocketActivation.NONE);
	}

	@Test
	void servesTheOnlySocketAsTheApplicationsWithOrWithoutAName() {
		SocketActivation unnamed = SocketActivation.of(Map.of("LISTEN_FDS", "1", "LISTEN_PID", "4242"), PID, PARENT);
		assertThat(unnamed.application()).isEqualTo(3);
		assertThat(unnamed.management()).isEqualTo(-1);
		assertThat(unnamed.any()).isTrue();
		SocketActivation named = SocketActivation.of(
				Map.of("LISTEN_FDS", "1", "LISTEN_PID", "4242", "LISTEN_FDNAMES", "web"), PID, PARENT);
		assertThat(named.application()).isEqualTo(3);
		assertThat(named.names()).containsEntry(3, "web");
	}

	@Test
	void tellsTheManagementSocketByItsNameInAnyOrder() {
		SocketActivation activation = SocketActivation.of(
				Map.of("LISTEN_FDS", "2", "LISTEN_PID", "4242", "LISTEN_FDNAMES", "management:app.socket"), PID, PARENT);
		assertThat(activation.management()).isEqualTo(3);
		assertThat(activation.application()).isEqualTo(4);
	}

	@Test
	void servesOnlyAManagementSocketIfThatIsAllThereIs() {
		SocketActivation activation = SocketActivation.of(
				Map.of("LISTEN_FDS", "1", "LISTEN_PID", "4242", "LISTEN_FDNAMES", "management"), PID, PARENT);
		assertThat(activation.application()).isEqualTo(-1);
		assertThat(activation.management()).isEqualTo(3);
	}

	@Test
	void rejectsMoreApplicationSocketsThanOne() {
		assertRejected(Map.of("LISTEN_FDS", "2", "LISTEN_PID", "4242"), "more sockets than this server can serve");
		assertRejected(Map.of("LISTEN_FDS", "2", "LISTEN_PID", "4242", "LISTEN_FDNAMES", "a:b"), "names a:b");
	}

	@Test
	void rejectsMalformedVariables() {
		assertRejected(Map.of("LISTEN_FDS", "two", "LISTEN_PID", "4242"), "LISTEN_FDS='two'");
		assertRejected(Map.of("LISTEN_FDS", "-1", "LISTEN_PID", "4242"), "LISTEN_FDS='-1'");
		assertRejected(Map.of("LISTEN_FDS", "2", "LISTEN_PID", "4242", "LISTEN_FDNAMES", "web"),
				"names 1 sockets, but LISTEN_FDS=2");
	}

	private static void assertRejected(Map<String, String> environment, String message) {
		assertThatExceptionOfType(PreforkException.class).isThrownBy(() -> SocketActivation.of(environment, PID, PARENT))
			.withMessageContaining(message);
	}

}
