package io.prefork.worker;

import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
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
import io.prefork.protocol.Connector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;
import static org.assertj.core.api.Assumptions.assumeThat;

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
			try (SocketChannel channel = PassedSockets.probe().adopt(fd, Connector.SERVER)) {
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
	void learnsEachServersAddressFamilyFromItsOwnConnections() throws Exception {
		InetAddress ipv6 = InetAddress.getByName("::1");
		ListeningSocket v6;
		try {
			v6 = ListeningSocket.open(ipv6, 0, 16);
		}
		catch (PosixException ex) {
			assumeThat(ex).as("IPv6 loopback unavailable here: " + ex.getMessage()).isNull();
			return;
		}
		PassedSockets sockets = PassedSockets.probe();
		try (v6; ListeningSocket v4 = ListeningSocket.open(LOOPBACK, 0, 16)) {
			for (int round = 0; round < 2; round++) {
				try (Socket client4 = new Socket(LOOPBACK, v4.port());
						SocketChannel server = sockets.adopt(passAcceptedConnection(v4), Connector.SERVER);
						Socket client6 = new Socket(ipv6, v6.port());
						SocketChannel management = sockets.adopt(passAcceptedConnection(v6), Connector.MANAGEMENT)) {
					assertThat(server.getRemoteAddress()).as("round " + round).isEqualTo(client4.getLocalSocketAddress());
					assertThat(management.getRemoteAddress()).as("round " + round)
						.isEqualTo(client6.getLocalSocketAddress());
					assertThat(management.getLocalAddress()).as("round " + round)
						.isEqualTo(client6.getRemoteSocketAddress());
					assertThat(family(server)).as("round " + round).isEqualTo(StandardProtocolFamily.INET);
					assertThat(family(management)).as("round " + round).isEqualTo(StandardProtocolFamily.INET6);
				}
			}
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
				assertThatIOException().isThrownBy(() -> PassedSockets.probe().adopt(fd, Connector.SERVER));
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

	// The family the channel was made with (it decides how socket options are set).
	private static Object family(SocketChannel channel) throws ReflectiveOperationException {
		Field family = channel.getClass().getDeclaredField("family");
		family.setAccessible(true);
		return family.get(channel);
	}

	private static byte[] ascii(String text) {
		return text.getBytes(StandardCharsets.US_ASCII);
	}

}
