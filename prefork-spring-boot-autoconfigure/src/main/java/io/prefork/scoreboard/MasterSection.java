package io.prefork.scoreboard;

import java.nio.ByteBuffer;

/**
 * The master's half of a row: which worker process has the row and what the master knows
 * about it. Written only by the master.
 */
public final class MasterSection {

	private final ByteBuffer buffer;

	private final int base;

	MasterSection(ByteBuffer buffer, int row) {
		this.buffer = buffer;
		this.base = Layout.masterSection(row);
	}

	/**
	 * Publish the row's worker as the master sees it.
	 * @param slot the worker's slot in the pool
	 * @param pid the worker's process id, not 0
	 * @param generation how many workers the slot had before this one
	 * @param state printable ASCII of up to 16 characters, e.g. {@code starting},
	 * {@code idle}, {@code busy} or {@code stopping}
	 * @param startedAtEpochMillis when the worker was spawned
	 * @param rssBytes the worker's resident set size
	 * @param openConnections connections the worker holds now
	 * @param connectionsHandedOver connections handed over to the worker so far
	 */
	public synchronized void update(int slot, int pid, int generation, String state, long startedAtEpochMillis,
			long rssBytes, int openConnections, long connectionsHandedOver) {
		if (pid == 0) {
			throw new IllegalArgumentException("pid 0 marks a free row; use clear()");
		}
		Text.checkAscii(state, Layout.STATE_CAPACITY, "state");
		long odd = SeqLock.beginWrite(this.buffer, this.base + Layout.MASTER_SEQ);
		try {
			this.buffer.putInt(this.base + Layout.PID, pid);
			this.buffer.putInt(this.base + Layout.SLOT, slot);
			this.buffer.putInt(this.base + Layout.GENERATION, generation);
			this.buffer.putInt(this.base + Layout.OPEN_CONNECTIONS, openConnections);
			this.buffer.putLong(this.base + Layout.WORKER_STARTED_AT, startedAtEpochMillis);
			this.buffer.putLong(this.base + Layout.RSS_BYTES, rssBytes);
			this.buffer.putLong(this.base + Layout.CONNECTIONS_HANDED_OVER, connectionsHandedOver);
			this.buffer.putInt(this.base + Layout.STATE_LENGTH,
					Text.putAscii(this.buffer, this.base + Layout.STATE, state));
		}
		finally {
			SeqLock.endWrite(this.buffer, this.base + Layout.MASTER_SEQ, odd);
		}
	}

	/**
	 * Mark the row free (pid 0), so that snapshots leave it out.
	 */
	public synchronized void clear() {
		long odd = SeqLock.beginWrite(this.buffer, this.base + Layout.MASTER_SEQ);
		for (int offset = Layout.PID; offset < Layout.STATE + Layout.STATE_CAPACITY; offset += Long.BYTES) {
			this.buffer.putLong(this.base + offset, 0);
		}
		SeqLock.endWrite(this.buffer, this.base + Layout.MASTER_SEQ, odd);
	}

}
