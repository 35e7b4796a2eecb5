package io.prefork.posix;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * A {@code msghdr} with room for one descriptor ({@code SCM_RIGHTS}) and a payload, built
 * once and reused for every {@code sendmsg} or {@code recvmsg}. The master passes every
 * connection through one and a worker receives every connection through one; jnr-posix's
 * own calls allocated a header, an iovec, a control buffer and a direct payload buffer per
 * call (about 4 % of the master's CPU under {@code Connection: close} load). Not thread-safe:
 * one per sending thread, one per receiving socket. The layout is Linux LP64's (x86-64,
 * aarch64), the only ABI the starter runs on.
 */
final class RightsHeader {

	// struct msghdr: name, namelen (+4 padding), iov, iovlen, control, controllen, flags.
	private static final int MSG_IOV = 16;

	private static final int MSG_IOVLEN = 24;

	private static final int MSG_CONTROL = 32;

	private static final int MSG_CONTROLLEN = 40;

	private static final int MSG_FLAGS = 48;

	private static final int IOVEC = 64;

	// struct cmsghdr: len, level, type, then one int: CMSG_LEN(4) = 20, CMSG_SPACE(4) = 24.
	private static final int CMSG = IOVEC + 16;

	private static final int CMSG_LEN = 20;

	private static final int CMSG_SPACE = 24;

	private static final int PAYLOAD = CMSG + CMSG_SPACE;

	/** The longest message sent with a descriptor: a hand-over header is a few bytes. */
	static final int MAX_SENT_PAYLOAD = 256;

	private final Pointer memory;

	private final int capacity;

	/**
	 * Build one.
	 * @param capacity the longest payload it carries
	 */
	RightsHeader(int capacity) {
		this.capacity = capacity;
		this.memory = Memory.allocateDirect(LibC.RUNTIME, PAYLOAD + capacity, true);
		this.memory.putAddress(MSG_IOV, this.memory.address() + IOVEC);
		this.memory.putLong(MSG_IOVLEN, 1);
		this.memory.putAddress(MSG_CONTROL, this.memory.address() + CMSG);
		this.memory.putAddress(IOVEC, this.memory.address() + PAYLOAD);
	}

	/**
	 * Send a message with a descriptor attached.
	 * @param fd the socket
	 * @param message the bytes
	 * @param length how many of them, at most the capacity
	 * @param passedFd the descriptor to attach
	 * @param flags the send flags
	 * @return what {@code sendmsg} returned; {@code -1} with errno set on failure
	 */
	long send(int fd, byte[] message, int length, int passedFd, int flags) {
		if (length > this.capacity) {
			throw new IllegalArgumentException("message of " + length + " bytes with a descriptor, at most "
					+ this.capacity);
		}
		this.memory.put(PAYLOAD, message, 0, length);
		this.memory.putLong(IOVEC + 8, length);
		this.memory.putLong(MSG_CONTROLLEN, CMSG_SPACE);
		this.memory.putLong(CMSG, CMSG_LEN);
		this.memory.putInt(CMSG + 8, Linux.SOL_SOCKET);
		this.memory.putInt(CMSG + 12, Linux.SCM_RIGHTS);
		this.memory.putInt(CMSG + 16, passedFd);
		return LibC.INSTANCE.sendmsg(fd, this.memory, flags);
	}

	/**
	 * Send a message without a descriptor, as {@code send} would.
	 * @param fd the socket
	 * @param message the bytes, at most the capacity
	 * @param flags the send flags
	 * @return what {@code sendmsg} returned; {@code -1} with errno set on failure
	 */
	long send(int fd, byte[] message, int flags) {
		this.memory.put(PAYLOAD, message, 0, message.length);
		this.memory.putLong(IOVEC + 8, message.length);
		this.memory.putLong(MSG_CONTROLLEN, 0);
		return LibC.INSTANCE.sendmsg(fd, this.memory, flags);
	}

	/**
	 * Return the longest payload it carries.
	 * @return the capacity in bytes
	 */
	int capacity() {
		return this.capacity;
	}

	/**
	 * Receive one message, and the descriptor passed with it if any.
	 * @param fd the socket
	 * @param flags the receive flags
	 * @return what {@code recvmsg} returned; {@code -1} with errno set on failure
	 */
	long receive(int fd, int flags) {
		this.memory.putLong(IOVEC + 8, this.capacity);
		this.memory.putLong(MSG_CONTROLLEN, CMSG_SPACE);
		this.memory.putInt(MSG_FLAGS, 0);
		this.memory.putLong(CMSG, 0);
		return LibC.INSTANCE.recvmsg(fd, this.memory, flags);
	}

	/**
	 * Return the descriptor the last {@link #receive} got.
	 * @return it, or {@code -1} if none came
	 */
	int receivedFd() {
		boolean rights = this.memory.getLong(MSG_CONTROLLEN) >= CMSG_LEN && this.memory.getLong(CMSG) >= CMSG_LEN
				&& this.memory.getInt(CMSG + 8) == Linux.SOL_SOCKET && this.memory.getInt(CMSG + 12) == Linux.SCM_RIGHTS;
		return rights ? this.memory.getInt(CMSG + 16) : -1;
	}

	/**
	 * Whether the last {@link #receive} had to drop control data (more descriptors than
	 * one, which the protocol never sends; the kernel closed the extra ones).
	 * @return {@code true} if it did
	 */
	boolean controlTruncated() {
		return (this.memory.getInt(MSG_FLAGS) & Linux.MSG_CTRUNC) != 0;
	}

	/**
	 * Copy out the payload the last {@link #receive} got.
	 * @param length what it returned
	 * @return the bytes
	 */
	byte[] payload(int length) {
		byte[] bytes = new byte[length];
		this.memory.get(PAYLOAD, bytes, 0, length);
		return bytes;
	}

}
