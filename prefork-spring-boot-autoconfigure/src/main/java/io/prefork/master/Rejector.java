package io.prefork.master;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.prefork.posix.FileDescriptors;
import io.prefork.posix.Poller;
import io.prefork.scoreboard.PoolCounters;

/**
 * Turns connections away on the master's behalf: abruptly (close) or politely (a complete
 * {@code 503} with {@code Retry-After}, or a {@code 502} for a request whose worker died,
 * then a lingering close, so the client reads the answer instead of a reset caused by its
 * unread request). Counts every rejection by reason.
 */
final class Rejector {

	/** How long a rejected connection may linger before it is closed regardless. */
	private static final long LINGER_NANOS = TimeUnit.SECONDS.toNanos(2);

	/** Lingering connections held at most; beyond, new ones are closed at once. */
	private static final int MAX_LINGERING = 512;

	private static final String BUSY = "Service Unavailable: every worker is busy. Retry later.\n";

	private static final String LOST_UNREAD = "Service Unavailable: the worker holding this connection stopped. "
			+ "Retry.\n";

	private static final String LOST = "Bad Gateway: the worker serving this request stopped before answering it.\n";

	private final Map<RejectReason, byte[]> responses = new EnumMap<>(RejectReason.class);

	private final byte[] scratch = new byte[4096];

	private final List<Lingering> lingering = new ArrayList<>();

	private final PoolCounters counters;

	Rejector(Duration retryAfter, PoolCounters counters) {
		this.counters = counters;
		String retry = "Retry-After: " + Math.max(1, retryAfter.toSeconds()) + "\r\n";
		for (RejectReason reason : RejectReason.values()) {
			this.responses.put(reason, switch (reason) {
				case WORKER_LOST -> response("502 Bad Gateway", "", LOST);
				case WORKER_LOST_UNREAD -> response("503 Service Unavailable", retry, LOST_UNREAD);
				default -> response("503 Service Unavailable", retry, BUSY);
			});
		}
	}

	private static byte[] response(String status, String headers, String body) {
		return ("HTTP/1.1 " + status + "\r\nContent-Type: text/plain;charset=UTF-8\r\nContent-Length: "
				+ body.length() + "\r\n" + headers + "Connection: close\r\n\r\n" + body)
			.getBytes(StandardCharsets.US_ASCII);
	}

	/**
	 * Answer (502 for a lost worker's request, else 503) and close gracefully.
	 * @param fd the connection, owned by the rejector from now on
	 * @param reason why
	 * @param now the current nanoTime
	 */
	void reject(int fd, RejectReason reason, long now) {
		count(reason);
		drain(fd);
		if (!FileDescriptors.writeNow(fd, this.responses.get(reason)) || this.lingering.size() >= MAX_LINGERING) {
			FileDescriptors.close(fd);
			return;
		}
		FileDescriptors.shutdownOutput(fd);
		this.lingering.add(new Lingering(fd, now + LINGER_NANOS));
	}

	/**
	 * Close at once.
	 * @param fd the connection
	 * @param reason why
	 */
	void close(int fd, RejectReason reason) {
		count(reason);
		FileDescriptors.close(fd);
	}

	private void count(RejectReason reason) {
		this.counters.add(reason.counter, 1);
	}

	/**
	 * Describe the rejections so far.
	 * @return e.g. {@code overload=3, queue-timeout=1}, or {@code none}
	 */
	String describe() {
		StringBuilder description = new StringBuilder();
		for (RejectReason reason : RejectReason.values()) {
			long count = this.counters.get(reason.counter);
			if (count > 0) {
				description.append((description.length() > 0) ? ", " : "").append(reason.tag).append('=').append(count);
			}
		}
		return (description.length() > 0) ? description.toString() : "none";
	}

	/**
	 * Add the lingering connections to this turn's poll.
	 * @param poller the poller
	 * @return their indices, in the order {@link #service(Poller, int[], long)} expects
	 */
	int[] register(Poller poller) {
		int[] indices = new int[this.lingering.size()];
		for (int i = 0; i < indices.length; i++) {
			indices[i] = poller.add(this.lingering.get(i).fd());
		}
		return indices;
	}

	/**
	 * Read and discard what clients still send; close at their EOF or at the deadline.
	 * @param poller the poller after its wait
	 * @param indices what {@link #register(Poller)} returned
	 * @param now the current nanoTime
	 */
	void service(Poller poller, int[] indices, long now) {
		Iterator<Lingering> iterator = this.lingering.iterator();
		for (int i = 0; iterator.hasNext(); i++) {
			Lingering connection = iterator.next();
			boolean ready = i < indices.length && poller.isReady(indices[i]);
			if ((ready && drain(connection.fd()) == 0) || now - connection.deadline() >= 0) {
				FileDescriptors.close(connection.fd());
				iterator.remove();
			}
		}
	}

	/**
	 * Return when the next lingering connection must be closed.
	 * @param otherwise the value to return when none lingers
	 * @return a nanoTime
	 */
	long nextDeadline(long otherwise) {
		return this.lingering.isEmpty() ? otherwise : this.lingering.get(0).deadline();
	}

	/**
	 * Close everything still lingering.
	 */
	void closeAll() {
		this.lingering.forEach((connection) -> FileDescriptors.close(connection.fd()));
		this.lingering.clear();
	}

	// Returns 0 at EOF, else -1 (nothing more now) after reading what was pending.
	private int drain(int fd) {
		int read;
		while ((read = FileDescriptors.readNow(fd, this.scratch)) > 0) {
			// discard
		}
		return read;
	}

	private record Lingering(int fd, long deadline) {
	}

}
