package io.prefork.posix;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.byref.IntByReference;

/**
 * Plain operations on raw file descriptors.
 */
public final class FileDescriptors {

	/**
	 * Where {@code recv} puts what it takes, per thread, grown to the largest buffer asked
	 * for: given a {@code byte[]}, jnr copies the whole array through a temporary native
	 * one, 8 KB for every head the master peeks at; from here only what arrived is copied.
	 */
	private static final ThreadLocal<Pointer> RECEIVED = ThreadLocal
		.withInitial(() -> Memory.allocateDirect(LibC.RUNTIME, 256, true));

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
	 * Read without blocking.
	 * @param fd the descriptor
	 * @param into the buffer
	 * @return the number of bytes read, {@code 0} at EOF or reset, {@code -1} if nothing is
	 * pending
	 */
	public static int readNow(int fd, byte[] into) {
		long read = receive(fd, into, Linux.MSG_DONTWAIT);
		if (read >= 0) {
			return (int) read;
		}
		return PosixException.wouldBlock(LibC.errno()) ? -1 : 0;
	}

	/**
	 * Look at what has arrived without consuming it or blocking.
	 * @param fd the socket
	 * @param into the buffer
	 * @return the number of bytes pending (at most the buffer's length), {@code 0} at EOF or
	 * reset, {@code -1} if nothing is pending
	 */
	public static int peekNow(int fd, byte[] into) {
		long read = receive(fd, into, Linux.MSG_DONTWAIT | Linux.MSG_PEEK);
		if (read >= 0) {
			return (int) read;
		}
		return PosixException.wouldBlock(LibC.errno()) ? -1 : 0;
	}

	private static long receive(int fd, byte[] into, int flags) {
		Pointer buffer = RECEIVED.get();
		if (buffer.size() < into.length) {
			buffer = Memory.allocateDirect(LibC.RUNTIME, into.length, true);
			RECEIVED.set(buffer);
		}
		long read = LibC.INSTANCE.recv(fd, buffer, into.length, flags);
		if (read > 0) {
			buffer.get(0, into, 0, (int) read);
		}
		return read;
	}

	/**
	 * Set how many bytes must be pending before poll reports a socket readable, so a
	 * socket whose pending bytes are only peeked at does not poll readable again and again.
	 * @param fd the socket
	 * @param bytes the low-water mark; {@code 1} is the default
	 * @throws PosixException if setsockopt fails
	 */
	public static void receiveLowWatermark(int fd, int bytes) throws PosixException {
		if (LibC.INSTANCE.setsockopt(fd, Linux.SOL_SOCKET, Linux.SO_RCVLOWAT, new IntByReference(bytes), 4) != 0) {
			throw PosixException.last("setsockopt(SO_RCVLOWAT)");
		}
	}

	/**
	 * Turn SO_LINGER off again (a close ends the connection gracefully), after a worker set
	 * it to zero to close its descriptor without ending a connection the master keeps.
	 * @param fd the socket
	 */
	public static void lingerOff(int fd) {
		// struct linger { int l_onoff; int l_linger; }; a failure leaves a reset at close.
		LibC.INSTANCE.setsockopt(fd, Linux.SOL_SOCKET, Linux.SO_LINGER, new int[] { 0, 0 }, 8);
	}

	/**
	 * Write without blocking; a small response fits in a fresh socket's send buffer.
	 * @param fd the socket
	 * @param bytes what to write
	 * @return {@code true} if all of it was written
	 */
	public static boolean writeNow(int fd, byte[] bytes) {
		return LibC.INSTANCE.send(fd, bytes, bytes.length, Linux.MSG_DONTWAIT | Linux.MSG_NOSIGNAL) == bytes.length;
	}

	/**
	 * Write to a pipe (or any fd that is not a socket) without waiting for a reader.
	 * @param fd the descriptor
	 * @param bytes what to write, small enough for the pipe's buffer
	 * @return {@code true} if all of it was written
	 */
	public static boolean writeToPipe(int fd, byte[] bytes) {
		return LibC.INSTANCE.write(fd, bytes, bytes.length) == bytes.length;
	}

	/**
	 * Mark an inherited descriptor close-on-exec, so that no program this one starts gets it.
	 * @param fd the descriptor
	 * @throws PosixException if fcntl fails, e.g. the fd is not open
	 */
	public static void closeOnExec(int fd) throws PosixException {
		if (LibC.INSTANCE.fcntl(fd, Linux.F_SETFD, Linux.FD_CLOEXEC) != 0) {
			throw PosixException.last("fcntl FD_CLOEXEC of fd " + fd);
		}
	}

	/**
	 * Send FIN: the peer reads EOF after what was written, while this side can still read.
	 * @param fd the socket
	 */
	public static void shutdownOutput(int fd) {
		LibC.INSTANCE.shutdown(fd, Linux.SHUT_WR);
	}

	/**
	 * Return how many bytes the socket's readers (any process holding it) have consumed:
	 * what TCP received minus what still waits in the receive queue. Zero means nobody has
	 * read a byte of it, so it can go to another reader whole.
	 * @param fd a TCP socket
	 * @return the bytes consumed, or {@code -1} if the kernel cannot tell (before Linux 4.1)
	 */
	public static long consumedBytes(int fd) {
		byte[] info = new byte[Linux.TCP_INFO_BYTES_RECEIVED + Long.BYTES];
		IntByReference length = new IntByReference(info.length);
		if (LibC.INSTANCE.getsockopt(fd, Linux.IPPROTO_TCP, Linux.TCP_INFO, info, length) != 0
				|| length.intValue() < info.length) {
			return -1;
		}
		long received = ByteBuffer.wrap(info).order(ByteOrder.nativeOrder()).getLong(Linux.TCP_INFO_BYTES_RECEIVED);
		int pending = pendingBytes(fd);
		return (pending < 0) ? -1 : received - pending;
	}

	/**
	 * Return how many bytes wait in a socket's receive queue, unread.
	 * @param fd the socket
	 * @return the count, or {@code -1} if it cannot be told
	 */
	public static int pendingBytes(int fd) {
		IntByReference pending = new IntByReference();
		return (LibC.INSTANCE.ioctl(fd, Linux.SIOCINQ, pending) == 0) ? pending.intValue() : -1;
	}

}
