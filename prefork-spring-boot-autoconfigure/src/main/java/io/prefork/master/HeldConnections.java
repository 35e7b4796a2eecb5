package io.prefork.master;

import java.util.HashMap;
import java.util.Map;

import io.prefork.posix.FileDescriptors;

/**
 * The master's own copy of every connection it handed a worker, kept until that worker
 * reports the connection closed, so that a worker's death never leaves a client without an
 * answer the master could give. Holding the copy costs no system call: the master closes
 * its descriptor when the worker's close report arrives instead of at its acknowledgement.
 */
final class HeldConnections {

	private final Map<WorkerProcess, Map<Long, ConnectionQueue.Queued>> byWorker = new HashMap<>();

	/**
	 * Keep a connection just passed to a worker.
	 * @param worker the worker
	 * @param connectionId the id it was passed with
	 * @param connection the master's copy, owned by this from now on
	 */
	void hold(WorkerProcess worker, long connectionId, ConnectionQueue.Queued connection) {
		this.byWorker.computeIfAbsent(worker, (key) -> new HashMap<>()).put(connectionId, connection);
	}

	/**
	 * Close the master's copy: the worker closed the connection, or never took it.
	 * @param worker the worker
	 * @param connectionId the connection's id
	 */
	void release(WorkerProcess worker, long connectionId) {
		ConnectionQueue.Queued connection = take(worker, connectionId);
		if (connection != null) {
			FileDescriptors.close(connection.fd());
		}
	}

	/**
	 * Take the master's copy of a connection the worker closed; the caller owns it now.
	 * @param worker the worker
	 * @param connectionId the connection's id
	 * @return the copy, or {@code null} if none is held
	 */
	ConnectionQueue.Queued take(WorkerProcess worker, long connectionId) {
		Map<Long, ConnectionQueue.Queued> held = this.byWorker.get(worker);
		return (held != null) ? held.remove(connectionId) : null;
	}

	/**
	 * Take every connection a gone worker held; the caller owns them from now on.
	 * @param worker the worker
	 * @return its connections by id, empty if none
	 */
	Map<Long, ConnectionQueue.Queued> takeAll(WorkerProcess worker) {
		Map<Long, ConnectionQueue.Queued> held = this.byWorker.remove(worker);
		return (held != null) ? held : Map.of();
	}

	/**
	 * Close every copy, on exit.
	 */
	void closeAll() {
		this.byWorker.values().forEach((held) -> held.values().forEach((c) -> FileDescriptors.close(c.fd())));
		this.byWorker.clear();
	}

}
