package io.prefork.worker;

import java.io.IOException;
import java.nio.channels.Channel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

import io.prefork.DispatchMode;
import io.prefork.PreforkException;
import io.prefork.protocol.Connector;
import io.prefork.protocol.ProtocolException;

/**
 * Where a worker's connections come from in its dispatch mode: fds passed by the master
 * (pass-fd), or its own non-blocking accept on the inherited listening socket when the master
 * commands it (accept-on-command). In shared-accept Tomcat accepts by itself. Connections of
 * a separate management port are always passed by the master.
 */
final class ConnectionSource {

	private final DispatchMode mode;

	private final PassedSockets passedSockets;

	private final ServerSocketChannel listener;

	private ConnectionSource(DispatchMode mode, PassedSockets passedSockets, ServerSocketChannel listener) {
		this.mode = mode;
		this.passedSockets = passedSockets;
		this.listener = listener;
	}

	/**
	 * Prepare the source for a mode, failing fast if this process cannot use it.
	 * @param mode the dispatch mode
	 * @param managementPort whether the master passes management connections too
	 * @return the source
	 * @throws PreforkException if the JVM or the inherited fds do not allow the mode
	 */
	static ConnectionSource forMode(DispatchMode mode, boolean managementPort) {
		PassedSockets passedSockets = (mode == DispatchMode.PASS_FD || managementPort) ? PassedSockets.probe() : null;
		ServerSocketChannel listener = (mode == DispatchMode.ACCEPT_ON_COMMAND) ? inheritedListener() : null;
		return new ConnectionSource(mode, passedSockets, listener);
	}

	private static ServerSocketChannel inheritedListener() {
		try {
			Channel inherited = System.inheritedChannel();
			if (inherited instanceof ServerSocketChannel listener) {
				// Never block: another worker or the master may take the connection first.
				listener.configureBlocking(false);
				return listener;
			}
			throw new IOException("stdin is " + ((inherited != null) ? inherited : "not a socket"));
		}
		catch (IOException ex) {
			throw new PreforkException("This worker did not inherit the listening socket as its stdin: "
					+ ex.getMessage(), "Start workers from the prefork master only.", ex);
		}
	}

	/**
	 * Adopt a connection the master passed.
	 * @param fd its fd
	 * @param connector the server it was accepted for
	 * @return the connection
	 * @throws IOException if it is unusable
	 */
	SocketChannel adopt(int fd, Connector connector) throws IOException {
		if (this.passedSockets == null) {
			throw new ProtocolException("a passed connection, but this worker's dispatch is " + this.mode.value()
					+ " and it has no management port");
		}
		return this.passedSockets.adopt(fd, connector);
	}

	/**
	 * Accept one connection from the inherited listening socket, without blocking.
	 * @return the connection (blocking, as freshly accepted), or {@code null} if there was none
	 * @throws IOException if accepting failed
	 */
	SocketChannel accept() throws IOException {
		if (this.listener == null) {
			throw new ProtocolException("an accept command, but this worker's dispatch is " + this.mode.value());
		}
		return this.listener.accept();
	}

}
