package io.prefork.master;

import java.util.Map;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.prefork.posix.NotifySocket;
import io.prefork.posix.PosixException;

/**
 * Tells a service manager such as systemd ({@code Type=notify}) what the master is doing,
 * through {@code NOTIFY_SOCKET}: ready once the initial pool serves, the new main process
 * after an upgrade, stopping when it drains. Without {@code NOTIFY_SOCKET} it does nothing. A notification that cannot be sent
 * is logged and never stops the server.
 */
final class ServiceManager {

	/** The variable that names the socket, which workers must not inherit. */
	static final String NOTIFY_SOCKET = "NOTIFY_SOCKET";

	private static final Log logger = LogFactory.getLog(ServiceManager.class);

	private final String socket;

	private boolean stoppingSent;

	ServiceManager(String socket) {
		this.socket = (socket != null && !socket.isEmpty()) ? socket : null;
	}

	/**
	 * Notify the manager named in this process's environment, if any.
	 * @param environment the environment
	 * @return the notifier
	 */
	static ServiceManager of(Map<String, String> environment) {
		return new ServiceManager(environment.get(NOTIFY_SOCKET));
	}

	/**
	 * Report that the service is ready, with this process as its main process.
	 * @param status the status line, e.g. where it serves with how many workers
	 */
	void ready(String status) {
		send("READY=1\nMAINPID=" + ProcessHandle.current().pid() + "\nSTATUS=" + status);
	}

	/**
	 * Make another process the service's main process: the new master of an upgrade, which
	 * the manager accepts from the current main process even with {@code NotifyAccess=main}.
	 * @param pid the new main process
	 * @param status the status line
	 */
	void mainPid(long pid, String status) {
		send("MAINPID=" + pid + "\nSTATUS=" + status);
		// This master's own drain is not the service stopping any more.
		this.stoppingSent = true;
	}

	/**
	 * Report that the master drains and stops, once.
	 */
	void stopping() {
		if (this.stoppingSent) {
			return;
		}
		this.stoppingSent = true;
		send("STOPPING=1\nSTATUS=Draining");
	}

	private void send(String message) {
		if (this.socket == null) {
			return;
		}
		try {
			NotifySocket.send(this.socket, message);
			logger.debug("Notified " + this.socket + ": " + message.replace('\n', ' '));
		}
		catch (PosixException | IllegalArgumentException ex) {
			logger.warn("Cannot notify the service manager (" + NOTIFY_SOCKET + "=" + this.socket + "): "
					+ ex.getMessage());
		}
	}

}
