package io.prefork.posix;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Test support: accepts a real TCP connection as a raw fd, as the master does.
 */
public final class LoopbackConnections {

	private LoopbackConnections() {
	}

	/**
	 * Accept the next connection, waiting for it in poll (never sleeping).
	 * @param listener the non-blocking listening socket a client connects to
	 * @param timeout how long the connection may take to arrive
	 * @return the accepted fd, owned by the caller
	 * @throws PosixException if accept or poll fails
	 */
	public static int accept(ListeningSocket listener, Duration timeout) throws PosixException {
		Poller poller = new Poller(1);
		long deadline = System.nanoTime() + timeout.toNanos();
		while (true) {
			int fd = listener.accept();
			if (fd >= 0) {
				return fd;
			}
			long remaining = deadline - System.nanoTime();
			assertThat(remaining).as("a connection arrives within %s", timeout).isPositive();
			poller.clear();
			poller.add(listener.fd());
			poller.await((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining)));
		}
	}

}
