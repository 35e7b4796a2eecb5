package io.prefork.posix;

import java.io.IOException;

import jnr.constants.platform.Errno;

/**
 * A failed system call, with its errno.
 */
public class PosixException extends IOException {

	private static final int EAGAIN = Errno.EAGAIN.intValue();

	private static final int EWOULDBLOCK = Errno.EWOULDBLOCK.intValue();

	private final int errno;

	PosixException(String call, int errno) {
		super(call + " failed: " + describe(errno));
		this.errno = errno;
	}

	static PosixException last(String call) {
		return new PosixException(call, LibC.errno());
	}

	/**
	 * Return the errno of the failed call.
	 * @return the errno
	 */
	public int errno() {
		return this.errno;
	}

	/**
	 * Whether the call failed only because it would have blocked.
	 * @return {@code true} for EAGAIN/EWOULDBLOCK
	 */
	public boolean wouldBlock() {
		return wouldBlock(this.errno);
	}

	/**
	 * Whether an errno says only that the call would have blocked. Non-blocking calls on the
	 * master's hot paths check this before building an exception: filling in a stack trace
	 * per empty read cost 5 % of the master's CPU under load.
	 * @param errno the errno
	 * @return {@code true} for EAGAIN/EWOULDBLOCK
	 */
	static boolean wouldBlock(int errno) {
		return errno == EAGAIN || errno == EWOULDBLOCK;
	}

	/**
	 * Whether the call failed because the peer process is gone.
	 * @return {@code true} for ECONNRESET and EPIPE
	 */
	public boolean peerGone() {
		return this.errno == Errno.ECONNRESET.intValue() || this.errno == Errno.EPIPE.intValue();
	}

	static String describe(int errno) {
		Errno known = Errno.valueOf(errno);
		return (known != null && known != Errno.__UNKNOWN_CONSTANT__) ? known.name() + " (" + known.description() + ")"
				: "errno " + errno;
	}

}
