package io.prefork.master;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.prefork.pool.ConnectionState;
import io.prefork.pool.LostConnection;
import io.prefork.posix.FileDescriptors;

/**
 * Settles the connections of a worker that died: each is handed to another worker, answered
 * {@code 502}/{@code 503} by the master, or closed, as {@link LostConnection} decides from
 * what the worker recorded and what the kernel says was read.
 */
final class LostConnections {

	private static final Log logger = LogFactory.getLog(LostConnections.class);

	private final Rejector rejector;

	LostConnections(Rejector rejector) {
		this.rejector = rejector;
	}

	/**
	 * Settle a gone worker's connections.
	 * @param worker the worker
	 * @param held its connections, by id, owned by this call
	 * @param states what the worker recorded of them
	 * @param now the current nanoTime
	 * @return the connections nobody read from, for another worker
	 */
	List<ConnectionQueue.Queued> settle(WorkerProcess worker, Map<Long, ConnectionQueue.Queued> held,
			Map<Long, ConnectionState> states, long now) {
		List<ConnectionQueue.Queued> untouched = new ArrayList<>();
		Map<LostConnection, Integer> outcomes = new EnumMap<>(LostConnection.class);
		held.forEach((connectionId, connection) -> {
			int fd = connection.fd();
			LostConnection action = LostConnection.decide(states.get(connectionId), FileDescriptors.consumedBytes(fd),
					FileDescriptors.pendingBytes(fd));
			outcomes.merge(action, 1, Integer::sum);
			switch (action) {
				case HAND_TO_ANOTHER_WORKER -> untouched.add(connection);
				case ANSWER_BAD_GATEWAY -> this.rejector.reject(fd, RejectReason.WORKER_LOST, now);
				case ANSWER_UNAVAILABLE -> this.rejector.reject(fd, RejectReason.WORKER_LOST_UNREAD, now);
				case CLOSE -> FileDescriptors.close(fd);
			}
		});
		if (!held.isEmpty()) {
			logger.info(worker + " is gone with " + held.size() + " connections: " + describe(outcomes));
		}
		return untouched;
	}

	private static String describe(Map<LostConnection, Integer> outcomes) {
		return outcomes.entrySet()
			.stream()
			.map((outcome) -> outcome.getValue() + " " + switch (outcome.getKey()) {
				case HAND_TO_ANOTHER_WORKER -> "unread, to another worker";
				case ANSWER_BAD_GATEWAY -> "answered 502 (request read, not answered)";
				case ANSWER_UNAVAILABLE -> "answered 503 (next request unread)";
				case CLOSE -> "closed (idle, answer cut, or not plain HTTP/1)";
			})
			.collect(Collectors.joining(", "));
	}

}
