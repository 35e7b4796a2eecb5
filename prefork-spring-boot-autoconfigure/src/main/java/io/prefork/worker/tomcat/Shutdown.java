package io.prefork.worker.tomcat;

import java.io.IOException;
import java.nio.channels.SocketChannel;

/**
 * Ends a connection's sending side, whoever else holds the socket.
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

}
