package io.prefork.scoreboard;

import java.nio.ByteBuffer;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

import io.prefork.pool.ConnectionState;

/**
 * One worker's connections as the master must know them should that worker die: an entry
 * per connection the master handed it, with what the worker last did with it. The worker
 * writes (a store per change, no lock between processes); the master reads only after the
 * worker is gone, so nothing is ever read half-written by a live writer.
 */
public final class ConnectionTable {

	private final ByteBuffer buffer;

	private final int base;

	private final int capacity;

	/** The worker's own record of the entries it uses. */
	private final BitSet used = new BitSet();

	ConnectionTable(ByteBuffer buffer, int base, int capacity) {
		this.buffer = buffer;
		this.base = base;
		this.capacity = capacity;
	}

	/**
	 * Worker: record a connection just handed over, as {@link ConnectionState#FRESH}.
	 * @param connectionId the id the master gave it (never 0)
	 * @return its entry, or {@code -1} if the table is full (the connection is then not
	 * recorded, and the master treats it as unknown)
	 */
	public synchronized int claim(long connectionId) {
		int entry = this.used.nextClearBit(0);
		if (entry >= this.capacity) {
			return -1;
		}
		this.used.set(entry);
		SeqLock.LONGS.setOpaque(this.buffer, offset(entry, Layout.CONNECTION_STATE),
				(long) ConnectionState.FRESH.ordinal());
		SeqLock.LONGS.setRelease(this.buffer, offset(entry, Layout.CONNECTION_ID), connectionId);
		return entry;
	}

	/**
	 * Worker: record what it did with a connection.
	 * @param entry what {@link #claim(long)} returned
	 * @param state the new state
	 */
	public void record(int entry, ConnectionState state) {
		SeqLock.LONGS.setOpaque(this.buffer, offset(entry, Layout.CONNECTION_STATE), (long) state.ordinal());
	}

	/**
	 * Worker: the connection is closed; its entry is free again.
	 * @param entry what {@link #claim(long)} returned
	 */
	public synchronized void release(int entry) {
		SeqLock.LONGS.setRelease(this.buffer, offset(entry, Layout.CONNECTION_ID), 0L);
		this.used.clear(entry);
	}

	/**
	 * Master, once the worker is gone: every connection it recorded and its last state.
	 * @return the states by connection id
	 */
	public Map<Long, ConnectionState> states() {
		Map<Long, ConnectionState> states = new HashMap<>();
		for (int entry = 0; entry < this.capacity; entry++) {
			long connectionId = (long) SeqLock.LONGS.getAcquire(this.buffer, offset(entry, Layout.CONNECTION_ID));
			if (connectionId != 0) {
				long state = (long) SeqLock.LONGS.getOpaque(this.buffer, offset(entry, Layout.CONNECTION_STATE));
				states.put(connectionId, ConnectionState.of((int) state));
			}
		}
		return states;
	}

	/**
	 * Master, after reading a gone worker's table: empty it for the row's next worker.
	 */
	void clear() {
		for (int entry = 0; entry < this.capacity; entry++) {
			SeqLock.LONGS.setRelease(this.buffer, offset(entry, Layout.CONNECTION_ID), 0L);
		}
	}

	private int offset(int entry, int field) {
		return this.base + entry * Layout.CONNECTION_ENTRY_SIZE + field;
	}

}
