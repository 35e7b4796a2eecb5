package io.prefork.scoreboard;

import java.nio.ByteBuffer;
import java.util.function.LongSupplier;

/**
 * The scoreboard's header: when the master started, how it dispatches, and the pool
 * counters. Written only by the master's loop thread; every change is published under the
 * header's sequence lock so that a snapshot sees all counters of one moment.
 */
public final class PoolCounters {

	private final ByteBuffer buffer;

	PoolCounters(ByteBuffer buffer) {
		this.buffer = buffer;
	}

	/**
	 * Record once when the master started and its dispatch mode.
	 * @param epochMillis the start time
	 * @param dispatch the dispatch mode's name, printable ASCII of up to 24 characters
	 */
	public synchronized void started(long epochMillis, String dispatch) {
		Text.checkAscii(dispatch, Layout.DISPATCH_CAPACITY, "dispatch");
		long odd = SeqLock.beginWrite(this.buffer, Layout.HEADER_SEQ);
		try {
			this.buffer.putLong(Layout.STARTED_AT, epochMillis);
			this.buffer.putInt(Layout.DISPATCH_LENGTH, Text.putAscii(this.buffer, Layout.DISPATCH, dispatch));
		}
		finally {
			SeqLock.endWrite(this.buffer, Layout.HEADER_SEQ, odd);
		}
	}

	/**
	 * Add to a counter.
	 * @param counter the counter
	 * @param delta the amount to add
	 */
	public synchronized void add(PoolCounter counter, long delta) {
		write(counter, get(counter) + delta);
	}

	/**
	 * Set a counter, typically a gauge.
	 * @param counter the counter
	 * @param value its new value
	 */
	public synchronized void set(PoolCounter counter, long value) {
		// The master sets its gauges every turn; unchanged ones need not disturb readers.
		if (value != get(counter)) {
			write(counter, value);
		}
	}

	/**
	 * Raise a counter to a value if the value is larger.
	 * @param counter the counter
	 * @param value the candidate maximum
	 */
	public synchronized void max(PoolCounter counter, long value) {
		if (value > get(counter)) {
			write(counter, value);
		}
	}

	/**
	 * Return a counter as the writer last set it.
	 * @param counter the counter
	 * @return its value
	 */
	public long get(PoolCounter counter) {
		return (long) SeqLock.LONGS.getOpaque(this.buffer, Layout.counter(counter));
	}

	/**
	 * Clear a row and add its requests to {@link PoolCounter#REQUESTS_OF_EXITED_WORKERS}
	 * inside one header write, which a snapshot detects, so it never counts those requests
	 * twice or not at all.
	 * @param clearRow clears the row and returns the requests its worker served
	 */
	synchronized void release(LongSupplier clearRow) {
		long odd = SeqLock.beginWrite(this.buffer, Layout.HEADER_SEQ);
		try {
			long served = clearRow.getAsLong();
			SeqLock.LONGS.setOpaque(this.buffer, Layout.counter(PoolCounter.REQUESTS_OF_EXITED_WORKERS),
					get(PoolCounter.REQUESTS_OF_EXITED_WORKERS) + served);
			SeqLock.LONGS.setOpaque(this.buffer, Layout.counter(PoolCounter.RELEASES), get(PoolCounter.RELEASES) + 1);
		}
		finally {
			SeqLock.endWrite(this.buffer, Layout.HEADER_SEQ, odd);
		}
	}

	private void write(PoolCounter counter, long value) {
		long odd = SeqLock.beginWrite(this.buffer, Layout.HEADER_SEQ);
		SeqLock.LONGS.setOpaque(this.buffer, Layout.counter(counter), value);
		SeqLock.endWrite(this.buffer, Layout.HEADER_SEQ, odd);
	}

}
