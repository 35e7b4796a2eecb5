package io.prefork.posix;

import java.net.InetAddress;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ListeningSocketInheritTests {

	@Test
	void takesOverAListeningTcpSocketWithItsPort() throws Exception {
		try (ListeningSocket bound = ListeningSocket.open(InetAddress.getLoopbackAddress(), 0, 16)) {
			ListeningSocket inherited = ListeningSocket.inherit(bound.fd());
			assertThat(inherited.port()).isEqualTo(bound.port());
			assertThat(inherited.localAddress()).isEqualTo("127.0.0.1:" + bound.port());
		}
	}

	@Test
	void refusesASocketThatDoesNotListen() {
		int fd = LibC.INSTANCE.socket(Linux.AF_INET, Linux.SOCK_STREAM | Linux.SOCK_CLOEXEC, 0);
		try {
			assertThatIllegalArgumentException().isThrownBy(() -> ListeningSocket.inherit(fd))
				.withMessage("it is not listening");
		}
		finally {
			LibC.INSTANCE.close(fd);
		}
	}

	@Test
	void refusesADatagramOrUnixSocketOrAnythingElse() throws Exception {
		int udp = LibC.INSTANCE.socket(Linux.AF_INET, Linux.SOCK_DGRAM | Linux.SOCK_CLOEXEC, 0);
		int unix = LibC.INSTANCE.socket(Linux.AF_UNIX, Linux.SOCK_STREAM | Linux.SOCK_CLOEXEC, 0);
		try (WakeupPipe pipe = new WakeupPipe()) {
			assertThatIllegalArgumentException().isThrownBy(() -> ListeningSocket.inherit(udp))
				.withMessageContaining("not a stream");
			assertThatIllegalArgumentException().isThrownBy(() -> ListeningSocket.inherit(unix))
				.withMessageContaining("not an IPv4 or IPv6 socket");
			assertThatExceptionOfType(PosixException.class).isThrownBy(() -> ListeningSocket.inherit(pipe.readFd()));
		}
		finally {
			LibC.INSTANCE.close(udp);
			LibC.INSTANCE.close(unix);
		}
	}

}
