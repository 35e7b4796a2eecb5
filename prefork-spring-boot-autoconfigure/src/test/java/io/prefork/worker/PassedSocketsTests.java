package io.prefork.worker;

import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.prefork.posix.ControlSocket;
import io.prefork.posix.FdInfo;
import io.prefork.posix.FileDescriptors;
import io.prefork.posix.ListeningSocket;
import io.prefork.posix.LoopbackConnections;
import io.prefork.posix.Poller;
import io.prefork.posix.PosixException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

@Timeout(10)
class PassedSocketsTests {

	private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

	private static final Duration PATIENCE = Duration.ofSeconds(5);

	@Test
	void adoptsAPassedFdAsTheConnectedClientChannel() throws Exception {
		try (ListeningSocket listener = ListeningSocket.open(LOOPBACK, 0, 16);
				Socket client = new Socket(LOOPBACK, listener.port())) {
			client.setSoTimeout((int) PATIENCE.toMillis());
			int fd = passAcceptedConnection(listener);
			try (SocketChannel channel = PassedSockets.probe().adopt(fd)) {
				assertThat(channel.isConnected()).isTrue();
				assertThat(channel.isBlocking()).isTrue();
				assertThat(FdInfo.flags(fd) & FdInfo.O_NONBLOCK).as("O_NONBLOCK cleared").isZero();
				assertThat(channel.getRemoteAddress()).isEqualTo(client.getLocalSocketAddress());
				assertThat(channel.getLocalAddress()).isEqualTo(client.getRemoteSocketAddress());
				client.getOutputStream().write(ascii("hello"));
				ByteBuffer request = ByteBuffer.allocate(5);
				while (request.hasRemaining()) {
					assertThat(channel.read(request)).as("read from the adopted channel").isPositive();
				}
				assertThat(request.array()).isEqualTo(ascii("hello"));
				channel.write(ByteBuffer.wrap(ascii("world")));
				assertThat(client.getInputStream().readNBytes(5)).isEqualTo(ascii("world"));
			}
			assertThat(client.getInputStream().read()).as("EOF once the channel is closed").isEqualTo(-1);
		}
	}

	@Test
	void failsWithIOExceptionForAConnectionTheClientReset() throws Exception {
		try (ListeningSocket listener = ListeningSocket.open(LOOPBACK, 0, 16)) {
			Socket client = new Socket(LOOPBACK, listener.port());
			int fd = passAcceptedConnection(listener);
			try {
				client.setSoLinger(true, 0);
				client.close();
				awaitReadable(fd);
				assertThatIOException().isThrownBy(() -> PassedSockets.probe().adopt(fd));
			}
			finally {
				FileDescriptors.close(fd);
			}
		}
	}

	// Accept as the master does and pass the fd over a real socketpair, as to a worker.
	private static int passAcceptedConnection(ListeningSocket listener) throws PosixException {
		ControlSocket[] pair = ControlSocket.pair();
		try (ControlSocket master = pair[0]; ControlSocket worker = pair[1]) {
			int accepted = LoopbackConnections.accept(listener, PATIENCE);
			try {
				assertThat(master.trySendWithFd(new byte[] { 1 }, 1, accepted)).isTrue();
			}
			finally {
				FileDescriptors.close(accepted);
			}
			int received = worker.receive().fd();
			assertThat(received).isNotNegative();
			return received;
		}
	}

	private static void awaitReadable(int fd) throws PosixException {
		Poller poller = new Poller(1);
		int index = poller.add(fd);
		assertThat(poller.await((int) PATIENCE.toMillis())).as("the reset arrives").isOne();
		assertThat(poller.isReady(index)).isTrue();
	}

	private static byte[] ascii(String text) {
		return text.getBytes(StandardCharsets.US_ASCII);
	}

}
