package io.prefork.scoreboard;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

/**
 * A single-writer sequence lock on one section of the mapped file, and the atomic view of
 * its longs. The writer makes the sequence odd, writes, and makes it even again; a reader
 * copies the section and keeps the copy only if the sequence was even and unchanged.
 * Works across processes because it only relies on the ordering of memory accesses.
 */
final class SeqLock {

	/** Atomic access to the aligned longs of a buffer; the index is a byte offset. */
	static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());

	private static final int SPINS = 10_000;

	private static final long STUCK_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

	private static final long BUSY_NANOS = TimeUnit.SECONDS.toNanos(5);

	private SeqLock() {
	}

	/**
	 * Start writing a section; only its single writer may call this.
	 * @param buffer the mapped file
	 * @param seq the offset of the section's sequence
	 * @return the odd sequence to pass to {@link #endWrite}
	 */
	static long beginWrite(ByteBuffer buffer, int seq) {
		long current = (long) LONGS.getOpaque(buffer, seq);
		// Odd if a previous writer died mid-write: step over it to the next odd value.
		long odd = ((current & 1) == 0) ? current + 1 : current + 2;
		LONGS.setOpaque(buffer, seq, odd);
		VarHandle.releaseFence();
		return odd;
	}

	/**
	 * Finish writing a section, publishing its fields.
	 * @param buffer the mapped file
	 * @param seq the offset of the section's sequence
	 * @param odd what {@link #beginWrite} returned
	 */
	static void endWrite(ByteBuffer buffer, int seq, long odd) {
		LONGS.setRelease(buffer, seq, odd + 1);
	}

	/**
	 * Copy a section consistently, retrying while its writer is busy. The copy is a plain
	 * memory copy, so that the window a writer can spoil is as short as possible.
	 * @param buffer the mapped file
	 * @param seq the absolute offset of the section's sequence
	 * @param from the absolute offset of the section's first byte
	 * @param size the section's size in bytes
	 * @param section names the section for the error message
	 * @return the copy, in native byte order, with the section's first byte at index 0; if
	 * the section stays mid-write at the same sequence for 200 ms, its writer died or was
	 * stopped in the middle of a write, and the copy is what it left (each aligned field old
	 * or new, text lengths clamped by the decoder) until someone clears the section
	 * @throws IllegalStateException if the section changed on every attempt for seconds
	 */
	static ByteBuffer copy(ByteBuffer buffer, int seq, int from, int size, String section) {
		byte[] copy = new byte[size];
		long stuckSince = 0;
		long busySince = 0;
		long last = -1;
		for (int attempt = 0;; attempt++) {
			long before = (long) LONGS.getAcquire(buffer, seq);
			if ((before & 1) == 0) {
				buffer.get(from, copy);
				VarHandle.acquireFence();
				if ((long) LONGS.getOpaque(buffer, seq) == before) {
					return ByteBuffer.wrap(copy).order(ByteOrder.nativeOrder());
				}
			}
			if (attempt < SPINS) {
				Thread.onSpinWait();
				continue;
			}
			long now = System.nanoTime();
			if (attempt == SPINS) {
				busySince = now;
			}
			if (before != last) {
				last = before;
				stuckSince = now;
			}
			else if (now - stuckSince > STUCK_NANOS) {
				// Throwing would fail every reader, among them the master releasing this very
				// row after reaping the dead writer.
				buffer.get(from, copy);
				return ByteBuffer.wrap(copy).order(ByteOrder.nativeOrder());
			}
			if (now - busySince > BUSY_NANOS) {
				throw new IllegalStateException("scoreboard " + section + " changed on every attempt to read it for "
						+ TimeUnit.NANOSECONDS.toMillis(BUSY_NANOS) + " ms");
			}
			Thread.yield();
		}
	}

}
