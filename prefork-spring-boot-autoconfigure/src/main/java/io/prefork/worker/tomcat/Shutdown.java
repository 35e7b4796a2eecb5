package io.prefork.worker.tomcat;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;

/**
 * Ends a connection's sending side, whoever else holds the socket, or makes sure closing a
 * descriptor does not.
 */
final class Shutdown {

	private Shutdown() {
	}

	/**
	 * Send FIN now, ignoring a connection that is already gone.
	 * @param channel the connection, or {@code null}
	 */
	static void output(SocketChannel channel) {
		try {
			if (channel != null && channel.isOpen()) {
				channel.shutdownOutput();
			}
		}
		catch (IOException ex) {
			// Reset by the client, or not connected: nothing to end.
		}
	}

	/**
	 * Make closing this process's descriptor leave the connection open for the master, which
	 * holds a copy: the JDK ends a connected channel that is still registered with a selector
	 * with a FIN when it is closed, unless SO_LINGER is zero. The master turns lingering off
	 * again before the connection's end.
	 * @param channel the connection
	 */
	static void none(SocketChannel channel) {
		try {
			if (channel.isOpen()) {
				channel.setOption(StandardSocketOptions.SO_LINGER, 0);
			}
		}
		catch (IOException ex) {
			// Reset by the client: nothing to keep open.
		}
	}

}
