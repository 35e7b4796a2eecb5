package io.prefork.master;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.prefork.PreforkException;
import io.prefork.posix.ListeningSocket;
import io.prefork.posix.PosixException;

/**
 * The listening sockets systemd (socket activation) handed to the master, which it serves
 * instead of binding {@code server.port} and {@code management.server.port}: systemd holds
 * the port while the service restarts, so no connection is refused, and an unprivileged
 * master can serve port 80. The new master of an upgrade (SIGUSR2) gets the old one's
 * sockets the same way. The sockets keep no close-on-exec flag until taken, so they
 * survive a re-exec of the master (same pid, so {@code LISTEN_PID} stays right).
 */
final class HandedInListeners {

	private static final Log logger = LogFactory.getLog(HandedInListeners.class);

	private final SocketActivation activation;

	HandedInListeners(SocketActivation activation) {
		this.activation = activation;
	}

	/**
	 * Read what was handed to this process.
	 * @return the handed-in listeners, maybe none
	 */
	static HandedInListeners ofThisProcess() {
		return new HandedInListeners(
				SocketActivation.of(System.getenv(), ProcessHandle.current().pid(), UpgradeHandover.parentPid()));
	}

	/**
	 * Take the application's socket, if one was handed in.
	 * @return the socket, or {@code null} to bind {@code server.port}
	 * @throws PreforkException if it is not a listening TCP socket
	 */
	ListeningSocket application() {
		if (this.activation.application() < 0) {
			return null;
		}
		ListeningSocket socket = take(this.activation.application(), "server.port");
		logger.info("Serving the listening socket handed in as fd " + this.activation.application() + " (name '"
				+ this.activation.names().get(this.activation.application()) + "', " + socket.localAddress()
				+ ") instead of binding server.port");
		return socket;
	}

	/**
	 * Take the management port's socket, if one named {@code management} was handed in.
	 * @param wanted whether a separate management port is configured; if not, a handed-in
	 * one is closed
	 * @return the socket, or {@code null} to bind {@code management.server.port}
	 * @throws PreforkException if it is not a listening TCP socket
	 */
	ListeningSocket management(boolean wanted) {
		int fd = this.activation.management();
		if (fd < 0) {
			return null;
		}
		ListeningSocket socket = take(fd, "management.server.port");
		if (!wanted) {
			logger.warn("Closing the socket handed in as fd " + fd + " (name '" + SocketActivation.MANAGEMENT
					+ "', " + socket.localAddress() + "): management.server.port is not set, so the actuator is "
					+ "served on the application's port");
			socket.close();
			return null;
		}
		logger.info("Serving the management socket handed in as fd " + fd + " (" + socket.localAddress()
				+ ") instead of binding management.server.port");
		return socket;
	}

	private static ListeningSocket take(int fd, String instead) {
		try {
			return ListeningSocket.inherit(fd);
		}
		catch (PosixException | IllegalArgumentException ex) {
			throw new PreforkException("The socket handed in as fd " + fd + " (LISTEN_FDS) for " + instead
					+ " is not a listening TCP socket: " + ex.getMessage() + ".",
					"Hand in TCP sockets only (ListenStream= in the .socket unit, with Accept=no), or unset "
							+ "LISTEN_FDS and LISTEN_PID to let the master bind " + instead + " itself.",
					ex);
		}
	}

}
