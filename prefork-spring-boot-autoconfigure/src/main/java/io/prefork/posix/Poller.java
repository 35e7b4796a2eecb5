package io.prefork.posix;

import jnr.constants.platform.Errno;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * A reusable poll(2) set: register fds for one turn, wait, ask which are ready.
 */
public final class Poller {

	private static final int POLLFD_SIZE = 8;

	private Pointer fds;

	private int capacity;

	private int count;

	/**
	 * Create a poller.
	 * @param initialCapacity the number of fds it holds before growing
	 */
	public Poller(int initialCapacity) {
		this.capacity = Math.max(4, initialCapacity);
		this.fds = Memory.allocateDirect(LibC.RUNTIME, (long) this.capacity * POLLFD_SIZE, true);
	}

	/**
	 * Forget every registered fd.
	 */
	public void clear() {
		this.count = 0;
	}

	/**
	 * Register an fd for readability (hang-ups and errors are always reported).
	 * @param fd the fd
	 * @return its index for {@link #isReady(int)}
	 */
	public int add(int fd) {
		if (this.count == this.capacity) {
			grow();
		}
		long offset = (long) this.count * POLLFD_SIZE;
		this.fds.putInt(offset, fd);
		this.fds.putShort(offset + 4, (short) Linux.POLLIN);
		this.fds.putShort(offset + 6, (short) 0);
		return this.count++;
	}

	private void grow() {
		Pointer larger = Memory.allocateDirect(LibC.RUNTIME, (long) this.capacity * 2 * POLLFD_SIZE, true);
		larger.transferFrom(0, this.fds, 0, (long) this.capacity * POLLFD_SIZE);
		this.fds = larger;
		this.capacity *= 2;
	}

	/**
	 * Wait until a registered fd is ready or the timeout passes.
	 * @param timeoutMillis the longest wait, {@code -1} for no limit
	 * @return the number of ready fds (0 on timeout or interruption by a signal)
	 * @throws PosixException if poll fails for another reason
	 */
	public int await(int timeoutMillis) throws PosixException {
		int ready = LibC.INSTANCE.poll(this.fds, this.count, timeoutMillis);
		if (ready < 0) {
			int errno = LibC.errno();
			if (errno == Errno.EINTR.intValue()) {
				return 0;
			}
			throw new PosixException("poll", errno);
		}
		return ready;
	}

	/**
	 * Whether the fd at an index is readable, hung up or in error.
	 * @param index the index {@link #add(int)} returned
	 * @return {@code true} if a read will not block
	 */
	public boolean isReady(int index) {
		return index >= 0 && index < this.count && this.fds.getShort((long) index * POLLFD_SIZE + 6) != 0;
	}

}
