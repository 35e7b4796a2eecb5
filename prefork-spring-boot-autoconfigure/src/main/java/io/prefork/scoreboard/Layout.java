package io.prefork.scoreboard;

/**
 * Where everything lives in the scoreboard file: every offset and size, in one place.
 * <p>
 * All values are in native byte order and every long is 8-byte aligned (the mapping
 * starts on a page boundary), so the sequence numbers and counters can be accessed
 * atomically through a byte-buffer view {@code VarHandle}. Rows and their two sections
 * start on 64-byte cache lines so that the master and the workers never share a line.
 *
 * <pre>
 * header (576 bytes)
 *   0  magic long        8  version int     12  rows int
 *  16  seq long         24  startedAt long  32  dispatch length int   36  connections per row int
 *  40  dispatch 24 bytes (ASCII)
 *  64  64 counter longs, indexed by PoolCounter ordinal (unused ones stay 0)
 * row r at 576 + r * 320
 *   master section, 128 bytes (72 used)
 *     0  seq long            8  pid int              12  slot int
 *    16  generation int     20  openConnections int  24  startedAt long
 *    32  rssBytes long      40  connectionsHandedOver long
 *    48  state length int   52  (reserved)           56  state 16 bytes (ASCII)
 *   worker section, at 128, 192 bytes (160 used)
 *     0  seq long            8  lastHeartbeat long   16  requestsServed long
 *    24  currentRequestStartedAt long                 32  busyThreads int
 *    36  request length int 40  request 120 bytes (UTF-8)
 * connection tables after the last row, one per row, of "connections per row" entries
 *   entry e of row r at 576 + rows * 320 + (r * connectionsPerRow + e) * 16
 *     0  connectionId long (0: free)   8  state long (a ConnectionState ordinal)
 * </pre>
 */
final class Layout {

	/** The file's first long: "PREFORKS" read as a big-endian long. */
	static final long MAGIC = 0x505245464F524B53L;

	/** The layout version; change it whenever an offset below changes. */
	static final int VERSION = 2;

	static final int MAGIC_OFFSET = 0;

	static final int VERSION_OFFSET = 8;

	static final int ROWS_OFFSET = 12;

	static final int HEADER_SEQ = 16;

	static final int STARTED_AT = 24;

	static final int DISPATCH_LENGTH = 32;

	static final int CONNECTIONS_PER_ROW = 36;

	static final int DISPATCH = 40;

	static final int DISPATCH_CAPACITY = 24;

	static final int COUNTERS = 64;

	static final int COUNTER_CAPACITY = 64;

	static final int HEADER_SIZE = COUNTERS + COUNTER_CAPACITY * Long.BYTES;

	static final int MASTER_SEQ = 0;

	static final int PID = 8;

	static final int SLOT = 12;

	static final int GENERATION = 16;

	static final int OPEN_CONNECTIONS = 20;

	static final int WORKER_STARTED_AT = 24;

	static final int RSS_BYTES = 32;

	static final int CONNECTIONS_HANDED_OVER = 40;

	static final int STATE_LENGTH = 48;

	static final int STATE = 56;

	static final int STATE_CAPACITY = 16;

	static final int MASTER_SECTION_SIZE = 128;

	static final int WORKER_SEQ = 0;

	static final int LAST_HEARTBEAT = 8;

	static final int REQUESTS_SERVED = 16;

	static final int CURRENT_REQUEST_STARTED_AT = 24;

	static final int BUSY_THREADS = 32;

	static final int REQUEST_LENGTH = 36;

	static final int REQUEST = 40;

	static final int REQUEST_CAPACITY = 120;

	static final int WORKER_SECTION_SIZE = 192;

	static final int ROW_SIZE = MASTER_SECTION_SIZE + WORKER_SECTION_SIZE;

	static final int CONNECTION_ID = 0;

	static final int CONNECTION_STATE = 8;

	static final int CONNECTION_ENTRY_SIZE = 16;

	/** The most connection entries a row may have. */
	static final int MAX_CONNECTIONS_PER_ROW = 1 << 20;

	/** The most rows a scoreboard may have. */
	static final int MAX_ROWS = 65_536;

	static {
		if (PoolCounter.values().length > COUNTER_CAPACITY) {
			throw new IllegalStateException("more pool counters than the header has room for");
		}
	}

	private Layout() {
	}

	/**
	 * Return the offset of a pool counter.
	 * @param counter the counter
	 * @return its absolute offset
	 */
	static int counter(PoolCounter counter) {
		return COUNTERS + counter.ordinal() * Long.BYTES;
	}

	/**
	 * Return where a row's master section starts.
	 * @param row the row
	 * @return its absolute offset
	 */
	static int masterSection(int row) {
		return HEADER_SIZE + row * ROW_SIZE;
	}

	/**
	 * Return where a row's worker section starts.
	 * @param row the row
	 * @return its absolute offset
	 */
	static int workerSection(int row) {
		return masterSection(row) + MASTER_SECTION_SIZE;
	}

	/**
	 * Return where a row's connection table starts.
	 * @param rows the scoreboard's number of rows
	 * @param connectionsPerRow entries per table
	 * @param row the row
	 * @return its absolute offset
	 */
	static long connectionTable(int rows, int connectionsPerRow, int row) {
		return HEADER_SIZE + (long) rows * ROW_SIZE + (long) row * connectionsPerRow * CONNECTION_ENTRY_SIZE;
	}

	/**
	 * Return the size of a scoreboard file.
	 * @param rows its number of rows
	 * @param connectionsPerRow entries in each row's connection table
	 * @return its size in bytes
	 */
	static int fileSize(int rows, int connectionsPerRow) {
		long size = connectionTable(rows, connectionsPerRow, rows);
		if (size > Integer.MAX_VALUE) {
			throw new IllegalArgumentException(rows + " rows of " + connectionsPerRow
					+ " connections each need a scoreboard over 2 GB");
		}
		return (int) size;
	}

}
