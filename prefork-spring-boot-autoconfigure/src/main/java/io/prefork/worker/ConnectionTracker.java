package io.prefork.worker;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import io.prefork.pool.ConnectionState;
import io.prefork.scoreboard.ConnectionTable;

/**
 * Records, for the master, what crosses one handed-over connection: whether the last thing
 * was reading a request or writing an answer, and whether it is plain HTTP/1 at all. Should
 * this worker die, the master answers from that record. A store in shared memory per change
 * of state; nothing per byte.
 */
public final class ConnectionTracker {

	/** For connections the master holds no copy of: records nothing. */
	public static final ConnectionTracker NONE = new ConnectionTracker(null, -1);

	private static final byte[] HTTP2_PREFACE = "PRI * HTTP/2.0".getBytes(StandardCharsets.US_ASCII);

	private static final byte[] SWITCHING_PROTOCOLS = "HTTP/1.1 101".getBytes(StandardCharsets.US_ASCII);

	private final ConnectionTable table;

	private final int entry;

	private volatile ConnectionState state = ConnectionState.FRESH;

	/** Whether closing leaves the connection open for the master, once decided. */
	private Boolean leftOpen;

	ConnectionTracker(ConnectionTable table, int entry) {
		this.table = table;
		this.entry = entry;
	}

	/**
	 * Bytes were read from the connection.
	 * @param buffer the buffer they were read into
	 * @param from where they start in it
	 * @param bytes how many (nothing is recorded for none)
	 */
	public void read(ByteBuffer buffer, int from, long bytes) {
		ConnectionState current = this.state;
		if (bytes <= 0 || current == ConnectionState.AWAITING_ANSWER || current == ConnectionState.OPAQUE) {
			return;
		}
		boolean http2 = current == ConnectionState.FRESH && startsWith(buffer, from, bytes, HTTP2_PREFACE);
		record(http2 ? ConnectionState.OPAQUE : ConnectionState.AWAITING_ANSWER);
	}

	/**
	 * Bytes were written to the connection.
	 * @param buffer the buffer they were written from
	 * @param from where they start in it
	 * @param bytes how many (nothing is recorded for none)
	 */
	public void wrote(ByteBuffer buffer, int from, long bytes) {
		if (bytes <= 0 || this.state != ConnectionState.AWAITING_ANSWER) {
			return;
		}
		// After a 101 the connection speaks another protocol (HTTP/2, a WebSocket).
		boolean upgraded = startsWith(buffer, from, bytes, SWITCHING_PROTOCOLS);
		record(upgraded ? ConnectionState.OPAQUE : ConnectionState.ANSWERED);
	}

	/**
	 * The connection is not plain HTTP/1 (TLS): the master must never answer on it.
	 */
	public void opaque() {
		record(ConnectionState.OPAQUE);
	}

	private void record(ConnectionState next) {
		if (this.table == null) {
			// NONE, shared by every untracked connection: it keeps no state either.
			return;
		}
		this.state = next;
		this.table.record(this.entry, next);
	}

	private static boolean startsWith(ByteBuffer buffer, int from, long bytes, byte[] prefix) {
		if (buffer == null || bytes < prefix.length) {
			return false;
		}
		for (int i = 0; i < prefix.length; i++) {
			if (buffer.get(from + i) != prefix[i]) {
				return false;
			}
		}
		return true;
	}

	/**
	 * Decide, once, whether closing the connection leaves it open for the master (no FIN):
	 * only while this worker retires and the pool goes on, and only between requests (nothing
	 * read yet, or an answer written last), where the client's next bytes start a new
	 * request that another worker can serve. Asked by whichever comes first of Tomcat's
	 * close of the channel and the report to the master, so both do the same.
	 * @param retiring whether the worker is retiring while the pool goes on
	 * @return {@code true} to leave it open; {@code false} also for untracked connections
	 */
	boolean leftOpen(boolean retiring) {
		if (this.table == null) {
			return false;
		}
		synchronized (this) {
			if (this.leftOpen == null) {
				ConnectionState current = this.state;
				this.leftOpen = retiring
						&& (current == ConnectionState.FRESH || current == ConnectionState.ANSWERED);
			}
			return this.leftOpen;
		}
	}

	/**
	 * Free the connection's entry once it is closed.
	 */
	void release() {
		if (this.table != null) {
			this.table.release(this.entry);
		}
	}

}
