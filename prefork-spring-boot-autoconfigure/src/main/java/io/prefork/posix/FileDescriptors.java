package io.prefork.posix;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import jnr.ffi.byref.IntByReference;

/**
 * Plain operations on raw file descriptors.
 */
public final class FileDescriptors {

	private FileDescriptors() {
	}

	/**
	 * Close a descriptor, ignoring errors (there is nothing useful to do about them).
	 * @param fd the descriptor
	 */
	public static void close(int fd) {
		if (fd >= 0) {
			LibC.INSTANCE.close(fd);
		}
	}

	/**
	 * Whether a socket is an IPv6 one (its family, not its peer's address, which may be an
	 * IPv4-mapped one on a dual-stack listener).
	 * @param fd the socket
	 * @return {@code true} for AF_INET6
	 * @throws PosixException if getsockname fails
	 */
	public static boolean isIpv6Socket(int fd) throws PosixException {
		byte[] sockaddr = new byte[128];
		if (LibC.INSTANCE.getsockname(fd, sockaddr, new IntByReference(sockaddr.length)) != 0) {
			throw PosixException.last("getsockname");
		}
		int family = ByteBuffer.wrap(sockaddr, 0, 2).order(ByteOrder.nativeOrder()).getShort();
		return family == Linux.AF_INET6;
	}

	/**
	 * Put a descriptor in non-blocking mode.
	 * @param fd the descriptor
	 * @throws PosixException if fcntl fails
	 */
	public static void setNonBlocking(int fd) throws PosixException {
		int flags = LibC.INSTANCE.fcntl(fd, Linux.F_GETFL, 0);
		if (flags < 0 || LibC.INSTANCE.fcntl(fd, Linux.F_SETFL, flags | Linux.O_NONBLOCK) < 0) {
			throw PosixException.last("fcntl O_NONBLOCK");
		}
	}

}
