package io.prefork.scoreboard;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.channels.FileChannel.MapMode;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;

/**
 * A memory-mapped file shared by the master and its workers, like Apache's scoreboard: a
 * header of pool counters written by the master, and one row per worker with a section
 * written by the master and one written by the worker. Each section has its own sequence
 * lock, so a {@link #snapshot()} from any process never sees a half-written section.
 * <p>
 * The mapping stays valid until the buffer is garbage-collected: Java 17 has no safe way
 * to unmap while another thread might still read or write, so {@link #close()} does not
 * unmap eagerly.
 */
public final class Scoreboard implements AutoCloseable {

	private static final String FILE_NAME = "scoreboard";

	private final Path file;

	private final Path ownedDirectory;

	private final int rows;

	private final ByteBuffer buffer;

	private final PoolCounters pool;

	private final MasterSection[] masters;

	private final WorkerSection[] workers;

	private final ConnectionTable[] connections;

	private volatile boolean closed;

	private Scoreboard(Path file, Path ownedDirectory, int rows, int connectionsPerRow, ByteBuffer buffer) {
		this.file = file;
		this.ownedDirectory = ownedDirectory;
		this.rows = rows;
		this.buffer = buffer;
		this.pool = new PoolCounters(buffer);
		this.masters = new MasterSection[rows];
		this.workers = new WorkerSection[rows];
		this.connections = new ConnectionTable[rows];
		for (int row = 0; row < rows; row++) {
			this.masters[row] = new MasterSection(buffer, row);
			this.workers[row] = new WorkerSection(buffer, row);
			this.connections[row] = new ConnectionTable(buffer, (int) Layout.connectionTable(rows, connectionsPerRow, row),
					connectionsPerRow);
		}
	}

	/**
	 * Create a scoreboard without connection tables, see {@link #create(int, int)}.
	 * @param rows the number of rows, at least one per worker the pool may have
	 * @return the scoreboard, mapped read-write
	 * @throws IOException if the file cannot be created or mapped
	 */
	public static Scoreboard create(int rows) throws IOException {
		return create(rows, 0);
	}

	/**
	 * Create a scoreboard in a new private directory (for the master); closing it deletes
	 * the file and the directory.
	 * @param rows the number of rows, at least one per worker the pool may have
	 * @param connectionsPerRow entries in each row's {@link ConnectionTable}: the most
	 * connections the master hands one worker, or 0 when it hands none
	 * @return the scoreboard, mapped read-write
	 * @throws IOException if the file cannot be created or mapped
	 */
	public static Scoreboard create(int rows, int connectionsPerRow) throws IOException {
		if (rows < 1 || rows > Layout.MAX_ROWS) {
			throw new IllegalArgumentException("rows must be between 1 and " + Layout.MAX_ROWS + ", was " + rows);
		}
		if (connectionsPerRow < 0 || connectionsPerRow > Layout.MAX_CONNECTIONS_PER_ROW) {
			throw new IllegalArgumentException("connections per row must be between 0 and "
					+ Layout.MAX_CONNECTIONS_PER_ROW + ", was " + connectionsPerRow);
		}
		int size = Layout.fileSize(rows, connectionsPerRow);
		Path directory = Files.createTempDirectory("prefork-",
				PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
		try {
			Path file = Files.createFile(directory.resolve(FILE_NAME),
					PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
			ByteBuffer buffer = map(file, size);
			buffer.putInt(Layout.VERSION_OFFSET, Layout.VERSION);
			buffer.putInt(Layout.ROWS_OFFSET, rows);
			buffer.putInt(Layout.CONNECTIONS_PER_ROW, connectionsPerRow);
			SeqLock.LONGS.setRelease(buffer, Layout.MAGIC_OFFSET, Layout.MAGIC);
			return new Scoreboard(file, directory, rows, connectionsPerRow, buffer);
		}
		catch (IOException | RuntimeException ex) {
			Files.deleteIfExists(directory.resolve(FILE_NAME));
			Files.deleteIfExists(directory);
			throw ex;
		}
	}

	/**
	 * Map an existing scoreboard read-write (for a worker, or any reader); closing it
	 * deletes nothing.
	 * @param file the scoreboard's file, see {@link #file()}
	 * @return the scoreboard
	 * @throws IOException if the file cannot be read or is not a scoreboard of this version
	 */
	public static Scoreboard open(Path file) throws IOException {
		long size = Files.size(file);
		if (size < Layout.HEADER_SIZE) {
			throw new IOException(file + " is not a prefork scoreboard: its " + size
					+ " bytes are too few for the header with the magic number");
		}
		ByteBuffer header = map(file, Layout.HEADER_SIZE);
		long magic = (long) SeqLock.LONGS.getAcquire(header, Layout.MAGIC_OFFSET);
		if (magic != Layout.MAGIC) {
			throw new IOException(file + " is not a prefork scoreboard: bad magic number 0x" + Long.toHexString(magic)
					+ ", expected 0x" + Long.toHexString(Layout.MAGIC));
		}
		int version = header.getInt(Layout.VERSION_OFFSET);
		if (version != Layout.VERSION) {
			throw new IOException(file + " has scoreboard layout version " + version + ", but this build reads version "
					+ Layout.VERSION + "; master and workers must run the same version");
		}
		int rows = header.getInt(Layout.ROWS_OFFSET);
		int connectionsPerRow = header.getInt(Layout.CONNECTIONS_PER_ROW);
		if (rows < 1 || rows > Layout.MAX_ROWS || connectionsPerRow < 0
				|| connectionsPerRow > Layout.MAX_CONNECTIONS_PER_ROW
				|| size < Layout.fileSize(rows, connectionsPerRow)) {
			throw new IOException(file + " is a truncated or corrupt scoreboard: " + rows + " rows of "
					+ connectionsPerRow + " connections in " + size + " bytes");
		}
		return new Scoreboard(file, null, rows, connectionsPerRow,
				map(file, Layout.fileSize(rows, connectionsPerRow)));
	}

	private static ByteBuffer map(Path file, int size) throws IOException {
		try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
			MappedByteBuffer mapped = channel.map(MapMode.READ_WRITE, 0, size);
			return mapped.order(ByteOrder.nativeOrder());
		}
	}

	/**
	 * Return the scoreboard's file, for other processes to {@link #open(Path)}.
	 * @return the file
	 */
	public Path file() {
		return this.file;
	}

	/**
	 * Return the number of rows.
	 * @return the number of rows
	 */
	public int rows() {
		return this.rows;
	}

	/**
	 * Return the header's pool counters; only the master's loop thread writes them.
	 * @return the pool counters
	 */
	public PoolCounters pool() {
		checkOpen();
		return this.pool;
	}

	/**
	 * Return a number that changes whenever any section is written: every write raises its
	 * section's sequence, so their sum only grows. Cheap enough to check before reusing a
	 * snapshot.
	 * @return the version
	 */
	public long version() {
		checkOpen();
		long version = (long) SeqLock.LONGS.getAcquire(this.buffer, Layout.HEADER_SEQ);
		for (int row = 0; row < this.rows; row++) {
			version += (long) SeqLock.LONGS.getAcquire(this.buffer, Layout.masterSection(row) + Layout.MASTER_SEQ);
			version += (long) SeqLock.LONGS.getAcquire(this.buffer, Layout.workerSection(row) + Layout.WORKER_SEQ);
		}
		return version;
	}

	/**
	 * Master, after reaping a row's worker: clear the row and add the requests its worker
	 * served to {@link PoolCounter#REQUESTS_OF_EXITED_WORKERS}, as one step for readers, so
	 * the pool's request total never goes backwards.
	 * @param row the row
	 */
	public void release(int row) {
		checkOpen();
		Objects.checkIndex(row, this.rows);
		this.pool.release(() -> {
			long served = SeqLock.copy(this.buffer, Layout.workerSection(row) + Layout.WORKER_SEQ,
					Layout.workerSection(row), Layout.WORKER_SECTION_SIZE, "row " + row + " worker section")
				.getLong(Layout.REQUESTS_SERVED);
			this.masters[row].clear();
			this.workers[row].clear();
			this.connections[row].clear();
			return served;
		});
	}

	/**
	 * Return a row's master section; only the master writes it.
	 * @param row the row
	 * @return the section (the same instance on every call)
	 */
	public MasterSection master(int row) {
		checkOpen();
		return this.masters[Objects.checkIndex(row, this.rows)];
	}

	/**
	 * Return a row's worker section; only the row's worker writes it.
	 * @param row the row
	 * @return the section (the same instance on every call, which its updates synchronize on)
	 */
	public WorkerSection worker(int row) {
		checkOpen();
		return this.workers[Objects.checkIndex(row, this.rows)];
	}

	/**
	 * Return a row's connection table: written by the row's worker, read by the master once
	 * that worker is gone.
	 * @param row the row
	 * @return the table (the same instance on every call)
	 */
	public ConnectionTable connections(int row) {
		checkOpen();
		return this.connections[Objects.checkIndex(row, this.rows)];
	}

	/**
	 * Copy the scoreboard; each section is consistent in itself. A section whose writer died
	 * in the middle of a write (its sequence stays odd) delays the snapshot by 200 ms and is
	 * copied as it was left, until its row is cleared.
	 * @return the snapshot
	 */
	public ScoreboardSnapshot snapshot() {
		checkOpen();
		return SnapshotReader.read(this.buffer, this.rows);
	}

	private void checkOpen() {
		if (this.closed) {
			throw new IllegalStateException("scoreboard " + this.file + " is closed");
		}
	}

	/**
	 * Delete the file and its directory on behalf of a creator that died without doing it
	 * (a worker whose master was killed). Mappings stay valid; errors are ignored, as
	 * several workers may try at once.
	 */
	public void removeFiles() {
		try {
			deleteDirectory(this.file.getParent());
		}
		catch (IOException ex) {
			// Another worker was first, or the directory is not ours to delete.
		}
	}

	/**
	 * Stop using the scoreboard; its creator also deletes the file and its directory.
	 * Sections already handed out stay usable until garbage-collected, which also unmaps.
	 */
	@Override
	public void close() {
		if (this.closed) {
			return;
		}
		this.closed = true;
		if (this.ownedDirectory != null) {
			try {
				deleteDirectory(this.ownedDirectory);
			}
			catch (IOException ex) {
				throw new UncheckedIOException("cannot delete scoreboard " + this.file, ex);
			}
		}
	}

	// The pool's private directory also holds the workers' pool-call files and the logger
	// levels set for the whole pool; it has no subdirectories.
	private static void deleteDirectory(Path directory) throws IOException {
		try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
			for (Path file : files) {
				Files.deleteIfExists(file);
			}
		}
		catch (NoSuchFileException ex) {
			return;
		}
		Files.deleteIfExists(directory);
	}

}
