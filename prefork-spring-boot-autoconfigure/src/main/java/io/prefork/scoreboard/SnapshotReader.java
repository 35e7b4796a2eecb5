package io.prefork.scoreboard;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Copies the scoreboard section by section, each under its sequence lock, and decodes the
 * copies.
 */
final class SnapshotReader {

	private static final int MAX_ATTEMPTS = 1000;

	private SnapshotReader() {
	}

	/**
	 * Take a snapshot.
	 * @param buffer the mapped file
	 * @param rows its number of rows
	 * @return the snapshot
	 */
	static ScoreboardSnapshot read(ByteBuffer buffer, int rows) {
		// Retried while a row is released meanwhile; bounded, as a reader must never hang.
		ScoreboardSnapshot snapshot;
		int attempts = 0;
		do {
			snapshot = readOnce(buffer, rows);
		}
		while (snapshot == null && ++attempts < MAX_ATTEMPTS);
		return (snapshot != null) ? snapshot : readRowsAnyway(buffer, rows);
	}

	// A row released while the rows were read would be counted twice or not at all: only a
	// release (not every counter write) makes the snapshot start again.
	private static ScoreboardSnapshot readOnce(ByteBuffer buffer, int rows) {
		ByteBuffer header = SeqLock.copy(buffer, Layout.HEADER_SEQ, 0, Layout.HEADER_SIZE, "header");
		ScoreboardSnapshot snapshot = decode(header, buffer, rows);
		ByteBuffer after = SeqLock.copy(buffer, Layout.HEADER_SEQ, 0, Layout.HEADER_SIZE, "header");
		int releases = Layout.counter(PoolCounter.RELEASES);
		return (after.getLong(releases) == header.getLong(releases)) ? snapshot : null;
	}

	private static ScoreboardSnapshot readRowsAnyway(ByteBuffer buffer, int rows) {
		return decode(SeqLock.copy(buffer, Layout.HEADER_SEQ, 0, Layout.HEADER_SIZE, "header"), buffer, rows);
	}

	private static ScoreboardSnapshot decode(ByteBuffer header, ByteBuffer buffer, int rows) {
		Map<PoolCounter, Long> counters = new EnumMap<>(PoolCounter.class);
		for (PoolCounter counter : PoolCounter.values()) {
			counters.put(counter, header.getLong(Layout.counter(counter)));
		}
		String dispatch = Text.get(header, Layout.DISPATCH, header.getInt(Layout.DISPATCH_LENGTH),
				Layout.DISPATCH_CAPACITY);
		List<ScoreboardSnapshot.Row> copies = new ArrayList<>();
		for (int row = 0; row < rows; row++) {
			ByteBuffer master = SeqLock.copy(buffer, Layout.masterSection(row) + Layout.MASTER_SEQ,
					Layout.masterSection(row), Layout.MASTER_SECTION_SIZE, "row " + row + " master section");
			if (master.getInt(Layout.PID) != 0) {
				ByteBuffer worker = SeqLock.copy(buffer, Layout.workerSection(row) + Layout.WORKER_SEQ,
						Layout.workerSection(row), Layout.WORKER_SECTION_SIZE, "row " + row + " worker section");
				copies.add(row(row, master, worker));
			}
		}
		return new ScoreboardSnapshot(header.getLong(Layout.STARTED_AT), dispatch, counters, copies);
	}

	private static ScoreboardSnapshot.Row row(int row, ByteBuffer master, ByteBuffer worker) {
		String state = Text.get(master, Layout.STATE, master.getInt(Layout.STATE_LENGTH), Layout.STATE_CAPACITY);
		String request = Text.get(worker, Layout.REQUEST, worker.getInt(Layout.REQUEST_LENGTH),
				Layout.REQUEST_CAPACITY);
		return new ScoreboardSnapshot.Row(row, master.getInt(Layout.SLOT), master.getInt(Layout.PID),
				master.getInt(Layout.GENERATION), (state != null) ? state : "", master.getLong(Layout.WORKER_STARTED_AT),
				master.getLong(Layout.RSS_BYTES), master.getInt(Layout.OPEN_CONNECTIONS),
				master.getLong(Layout.CONNECTIONS_HANDED_OVER), worker.getLong(Layout.REQUESTS_SERVED),
				worker.getInt(Layout.BUSY_THREADS), worker.getLong(Layout.LAST_HEARTBEAT), request,
				worker.getLong(Layout.CURRENT_REQUEST_STARTED_AT));
	}

}
