package io.prefork.scoreboard;

import java.nio.ByteBuffer;

/**
 * The worker's half of a row: its heartbeat, requests served and current request. Written
 * only by the worker process that owns the row (any of its threads: updates are
 * synchronized), or by the master after that worker has been reaped.
 */
public final class WorkerSection {

	private final ByteBuffer buffer;

	private final int base;

	private final byte[] request = new byte[Layout.REQUEST_CAPACITY];

	WorkerSection(ByteBuffer buffer, int row) {
		this.buffer = buffer;
		this.base = Layout.workerSection(row);
	}

	/**
	 * Publish that the worker is alive.
	 * @param epochMillis the time of the heartbeat
	 * @param requestsServed requests the worker has finished
	 */
	public synchronized void heartbeat(long epochMillis, long requestsServed) {
		long odd = SeqLock.beginWrite(this.buffer, this.base + Layout.WORKER_SEQ);
		this.buffer.putLong(this.base + Layout.LAST_HEARTBEAT, epochMillis);
		this.buffer.putLong(this.base + Layout.REQUESTS_SERVED, requestsServed);
		SeqLock.endWrite(this.buffer, this.base + Layout.WORKER_SEQ, odd);
	}

	/**
	 * Publish the worker's request activity, typically when a request starts or finishes.
	 * @param requestsServed requests the worker has finished
	 * @param busyThreads threads running a request now
	 * @param currentRequest e.g. {@code GET /sleep}, kept as up to 120 bytes of UTF-8 (cut
	 * between characters); {@code null} or empty for none
	 * @param currentRequestStartedAtEpochMillis when it started (ignored, stored as 0, if
	 * there is none)
	 */
	public synchronized void requests(long requestsServed, int busyThreads, String currentRequest,
			long currentRequestStartedAtEpochMillis) {
		int length = (currentRequest != null) ? Text.encodeUtf8(currentRequest, this.request) : 0;
		long startedAt = (length > 0) ? currentRequestStartedAtEpochMillis : 0;
		long odd = SeqLock.beginWrite(this.buffer, this.base + Layout.WORKER_SEQ);
		this.buffer.putLong(this.base + Layout.REQUESTS_SERVED, requestsServed);
		this.buffer.putInt(this.base + Layout.BUSY_THREADS, busyThreads);
		this.buffer.putLong(this.base + Layout.CURRENT_REQUEST_STARTED_AT, startedAt);
		this.buffer.put(this.base + Layout.REQUEST, this.request, 0, length);
		this.buffer.putInt(this.base + Layout.REQUEST_LENGTH, length);
		SeqLock.endWrite(this.buffer, this.base + Layout.WORKER_SEQ, odd);
	}

	/**
	 * Reset every field to zero, e.g. by the master after reaping the row's worker and before
	 * the row gets a new one. Also repairs a section left mid-write by a killed writer.
	 */
	public synchronized void clear() {
		long odd = SeqLock.beginWrite(this.buffer, this.base + Layout.WORKER_SEQ);
		for (int offset = Layout.LAST_HEARTBEAT; offset < Layout.REQUEST
				+ Layout.REQUEST_CAPACITY; offset += Long.BYTES) {
			this.buffer.putLong(this.base + offset, 0);
		}
		SeqLock.endWrite(this.buffer, this.base + Layout.WORKER_SEQ, odd);
	}

}
