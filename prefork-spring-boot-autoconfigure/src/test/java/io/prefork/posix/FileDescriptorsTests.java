package io.prefork.posix;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the master learns from a connection's socket alone, on real loopback connections.
 */
class FileDescriptorsTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	@Test
	void bytesNobodyReadAreNotConsumed() throws Exception {
		try (ListeningSocket listener = ListeningSocket.open(InetAddress.getLoopbackAddress(), 0, 8);
				Socket client = new Socket(InetAddress.getLoopbackAddress(), listener.port())) {
			int fd = LoopbackConnections.accept(listener, TIMEOUT);
			try {
				assertThat(FileDescriptors.consumedBytes(fd)).isZero();
				send(client, "GET / HTTP/1.1\r\n");
				awaitPending(fd, 16);
				assertThat(FileDescriptors.consumedBytes(fd)).isZero();
			}
			finally {
				FileDescriptors.close(fd);
			}
		}
	}

	@Test
	void bytesReadThroughAnyDescriptorAreConsumed() throws Exception {
		try (ListeningSocket listener = ListeningSocket.open(InetAddress.getLoopbackAddress(), 0, 8);
				Socket client = new Socket(InetAddress.getLoopbackAddress(), listener.port())) {
			int fd = LoopbackConnections.accept(listener, TIMEOUT);
			try {
				send(client, "GET / HTTP/1.1\r\n");
				awaitPending(fd, 16);
				assertThat(FileDescriptors.readNow(fd, new byte[4])).isEqualTo(4);
				assertThat(FileDescriptors.pendingBytes(fd)).isEqualTo(12);
				assertThat(FileDescriptors.consumedBytes(fd)).isEqualTo(4);
			}
			finally {
				FileDescriptors.close(fd);
			}
		}
	}

	private static void send(Socket client, String text) throws Exception {
		OutputStream out = client.getOutputStream();
		out.write(text.getBytes(StandardCharsets.US_ASCII));
		out.flush();
	}

	private static void awaitPending(int fd, int bytes) throws PosixException {
		Poller poller = new Poller(1);
		long deadline = System.nanoTime() + TIMEOUT.toNanos();
		while (FileDescriptors.pendingBytes(fd) < bytes) {
			assertThat(System.nanoTime() - deadline).as("%d bytes arrive; pending %d", bytes,
					FileDescriptors.pendingBytes(fd)).isNegative();
			poller.clear();
			poller.add(fd);
			poller.await(100);
		}
	}

}
