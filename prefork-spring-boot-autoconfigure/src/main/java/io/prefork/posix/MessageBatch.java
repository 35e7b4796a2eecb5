package io.prefork.posix;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * Room for the messages one {@code recvmmsg} takes: an array of {@code mmsghdr}, each with
 * its iovec and payload buffer, built once and reused. The master reads workers' reports
 * through one: what a worker sent since the last turn (acknowledgements, closed
 * connections, heartbeats) costs one system call instead of one per message plus one that
 * finds none left, and the call takes only primitives and a pointer, which jnr calls
 * directly where a {@code byte[]} argument went through a temporary copy. No descriptor is
 * expected: one sent along would be closed by the kernel. Not thread-safe. The layout is
 * Linux LP64's, as {@link RightsHeader}'s.
 */
public final class MessageBatch {

	// struct mmsghdr: struct msghdr (name, namelen, iov, iovlen, control, controllen, flags:
	// 56 bytes), then unsigned msg_len, padded to 64.
	private static final int MMSGHDR = 64;

	private static final int MSG_IOV = 16;

	private static final int MSG_IOVLEN = 24;

	private static final int MSG_LEN = 56;

	private static final int IOVEC = 16;

	private final Pointer memory;

	private final int slots;

	private final int slotCapacity;

	private final long payloads;

	/**
	 * Build one.
	 * @param slots the most messages one call takes
	 * @param slotCapacity the longest message kept whole (a longer one is cut, as
	 * {@code recv} into a buffer of this size would)
	 */
	public MessageBatch(int slots, int slotCapacity) {
		this.slots = slots;
		this.slotCapacity = slotCapacity;
		long iovecs = (long) slots * MMSGHDR;
		this.payloads = iovecs + (long) slots * IOVEC;
		this.memory = Memory.allocateDirect(LibC.RUNTIME, this.payloads + (long) slots * slotCapacity, true);
		for (int i = 0; i < slots; i++) {
			long header = (long) i * MMSGHDR;
			long iovec = iovecs + (long) i * IOVEC;
			this.memory.putAddress(header + MSG_IOV, this.memory.address() + iovec);
			this.memory.putLong(header + MSG_IOVLEN, 1);
			this.memory.putAddress(iovec, this.memory.address() + this.payloads + (long) i * slotCapacity);
			this.memory.putLong(iovec + 8, slotCapacity);
		}
	}

	/**
	 * Receive up to {@link #slots()} messages.
	 * @param fd the socket
	 * @param flags the receive flags
	 * @return what {@code recvmmsg} returned: the number of messages, each of length
	 * {@code 0} from EOF on; {@code -1} with errno set on failure
	 */
	int receive(int fd, int flags) {
		return LibC.INSTANCE.recvmmsg(fd, this.memory, this.slots, flags, null);
	}

	/**
	 * Return how many messages one call takes at most.
	 * @return the number of slots
	 */
	public int slots() {
		return this.slots;
	}

	/**
	 * Return the length of a message the last call received.
	 * @param index its index, below what the call returned
	 * @return its length, {@code 0} for EOF
	 */
	public int length(int index) {
		return this.memory.getInt((long) index * MMSGHDR + MSG_LEN);
	}

	/**
	 * Copy a message the last call received.
	 * @param index its index, below what the call returned
	 * @param into where to put it, at least {@code slotCapacity} long
	 * @return its length
	 */
	public int copy(int index, byte[] into) {
		int length = Math.min(length(index), this.slotCapacity);
		this.memory.get(this.payloads + (long) index * this.slotCapacity, into, 0, length);
		return length;
	}

}
