package io.prefork.posix;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * Sends a message with one descriptor attached ({@code SCM_RIGHTS}) through a {@code msghdr}
 * built once per thread. The master passes every connection this way; jnr-posix's
 * {@code sendmsg} allocated a header, an iovec, a control buffer and a direct payload buffer
 * per call, about 4 % of the master's CPU under {@code Connection: close} load. The layout is
 * Linux LP64's (x86-64, aarch64), the only ABI the starter runs on.
 */
final class RightsSender {

	// struct msghdr: name, namelen (+4 padding), iov, iovlen, control, controllen, flags.
	private static final int MSG_IOV = 16;

	private static final int MSG_IOVLEN = 24;

	private static final int MSG_CONTROL = 32;

	private static final int MSG_CONTROLLEN = 40;

	private static final int IOVEC = 64;

	// struct cmsghdr: len, level, type, then one int: CMSG_LEN(4) = 20, CMSG_SPACE(4) = 24.
	private static final int CMSG = IOVEC + 16;

	private static final int CMSG_LEN = 20;

	private static final int CMSG_SPACE = 24;

	private static final int PAYLOAD = CMSG + CMSG_SPACE;

	/** The longest message sent with a descriptor: a hand-over header is a few bytes. */
	static final int MAX_PAYLOAD = 256;

	private static final ThreadLocal<RightsSender> PER_THREAD = ThreadLocal.withInitial(RightsSender::new);

	private final Pointer memory = Memory.allocateDirect(LibC.RUNTIME, PAYLOAD + MAX_PAYLOAD, true);

	private RightsSender() {
		this.memory.putAddress(MSG_IOV, this.memory.address() + IOVEC);
		this.memory.putLong(MSG_IOVLEN, 1);
		this.memory.putAddress(MSG_CONTROL, this.memory.address() + CMSG);
		this.memory.putLong(MSG_CONTROLLEN, CMSG_SPACE);
		this.memory.putAddress(IOVEC, this.memory.address() + PAYLOAD);
		this.memory.putLong(CMSG, CMSG_LEN);
		this.memory.putInt(CMSG + 8, Linux.SOL_SOCKET);
		this.memory.putInt(CMSG + 12, Linux.SCM_RIGHTS);
	}

	/**
	 * Send without blocking.
	 * @param fd the socket
	 * @param message the bytes
	 * @param length how many of them, at most {@link #MAX_PAYLOAD}
	 * @param passedFd the descriptor to attach
	 * @param flags the send flags
	 * @return what {@code sendmsg} returned; {@code -1} with errno set on failure
	 */
	static long send(int fd, byte[] message, int length, int passedFd, int flags) {
		return PER_THREAD.get().sendNow(fd, message, length, passedFd, flags);
	}

	private long sendNow(int fd, byte[] message, int length, int passedFd, int flags) {
		if (length > MAX_PAYLOAD) {
			throw new IllegalArgumentException("message of " + length + " bytes with a descriptor, at most " + MAX_PAYLOAD);
		}
		this.memory.put(PAYLOAD, message, 0, length);
		this.memory.putLong(IOVEC + 8, length);
		this.memory.putInt(CMSG + 16, passedFd);
		return LibC.INSTANCE.sendmsg(fd, this.memory, flags);
	}

}
