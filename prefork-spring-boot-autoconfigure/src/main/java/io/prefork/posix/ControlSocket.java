package io.prefork.posix;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import jnr.posix.CmsgHdr;
import jnr.posix.MsgHdr;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/**
 * One end of a {@code SOCK_SEQPACKET} Unix socketpair: message boundaries are kept, a
 * connection fd can ride along a message ({@code SCM_RIGHTS}), and EOF means the peer
 * process is gone.
 */
public final class ControlSocket implements AutoCloseable {

	/** The largest message either side sends (the protocol's largest frame). */
	public static final int MAX_MESSAGE = 65_536;

	private static final POSIX POSIX = POSIXFactory.getNativePOSIX();

	private final int fd;

	/** Only a worker's end blocks in {@link #receive()}; the master's never allocate one. */
	private ByteBuffer receiveBuffer;

	private ControlSocket(int fd) {
		this.fd = fd;
	}

	/**
	 * Create a connected pair (both ends close-on-exec).
	 * @return the two ends
	 * @throws PosixException if socketpair fails
	 */
	public static ControlSocket[] pair() throws PosixException {
		int[] fds = new int[2];
		if (POSIX.socketpair(Linux.AF_UNIX, Linux.SOCK_SEQPACKET | Linux.SOCK_CLOEXEC, 0, fds) != 0) {
			throw new PosixException("socketpair", POSIX.errno());
		}
		return new ControlSocket[] { new ControlSocket(fds[0]), new ControlSocket(fds[1]) };
	}

	/**
	 * Adopt an inherited descriptor (the worker's fd 3).
	 * @param fd the descriptor
	 * @return the control socket
	 */
	public static ControlSocket adopt(int fd) {
		return new ControlSocket(fd);
	}

	/**
	 * Return the descriptor.
	 * @return the fd
	 */
	public int fd() {
		return this.fd;
	}

	/**
	 * Send one message, waiting while the peer's buffer is full. Safe from several threads:
	 * one message is one packet.
	 * @param message the bytes
	 * @throws PosixException if the peer is gone or another error occurs
	 */
	public void send(byte[] message) throws PosixException {
		if (LibC.INSTANCE.send(this.fd, message, message.length, Linux.MSG_NOSIGNAL) < 0) {
			throw PosixException.last("send");
		}
	}

	/**
	 * Send one message without blocking.
	 * @param message the bytes
	 * @return {@code false} if the peer's buffer is full
	 * @throws PosixException if the peer is gone or another error occurs
	 */
	public boolean trySend(byte[] message) throws PosixException {
		if (LibC.INSTANCE.send(this.fd, message, message.length, Linux.MSG_DONTWAIT | Linux.MSG_NOSIGNAL) >= 0) {
			return true;
		}
		int errno = LibC.errno();
		if (PosixException.wouldBlock(errno)) {
			return false;
		}
		throw new PosixException("send", errno);
	}

	/**
	 * Send one message carrying a descriptor, without blocking. The caller still owns its
	 * copy of {@code passedFd}; the peer receives its own.
	 * @param message the bytes
	 * @param length how many of them
	 * @param passedFd the descriptor to pass
	 * @return {@code false} if the peer's buffer is full
	 * @throws PosixException if the peer is gone or another error occurs
	 */
	public boolean trySendWithFd(byte[] message, int length, int passedFd) throws PosixException {
		if (RightsSender.send(this.fd, message, length, passedFd, Linux.MSG_DONTWAIT | Linux.MSG_NOSIGNAL) >= 0) {
			return true;
		}
		int errno = LibC.errno();
		if (PosixException.wouldBlock(errno)) {
			return false;
		}
		throw new PosixException("sendmsg", errno);
	}

	/**
	 * Receive one message without blocking; no descriptor is expected.
	 * @param into where to put the bytes
	 * @return the message length, {@code 0} at EOF or reset (the peer is gone), {@code -1}
	 * if none is pending
	 * @throws PosixException on an error
	 */
	public int receiveNow(byte[] into) throws PosixException {
		long received = LibC.INSTANCE.recv(this.fd, into, into.length, Linux.MSG_DONTWAIT);
		if (received >= 0) {
			return (int) received;
		}
		int errno = LibC.errno();
		if (PosixException.wouldBlock(errno)) {
			return -1;
		}
		PosixException failure = new PosixException("recv", errno);
		if (failure.peerGone()) {
			return 0;
		}
		throw failure;
	}

	/**
	 * Block until one message arrives, taking any descriptor passed with it (close-on-exec).
	 * @return the message, or {@code null} at EOF or reset (the peer is gone)
	 * @throws PosixException on an error
	 */
	public Received receive() throws PosixException {
		if (this.receiveBuffer == null) {
			this.receiveBuffer = ByteBuffer.allocateDirect(MAX_MESSAGE);
		}
		this.receiveBuffer.clear();
		MsgHdr header = POSIX.allocateMsgHdr();
		header.setIov(new ByteBuffer[] { this.receiveBuffer });
		header.allocateControl(4);
		int received = POSIX.recvmsg(this.fd, header, Linux.MSG_CMSG_CLOEXEC);
		if (received < 0) {
			PosixException failure = new PosixException("recvmsg", POSIX.errno());
			if (failure.peerGone()) {
				return null;
			}
			throw failure;
		}
		if (received == 0) {
			return null;
		}
		int passedFd = passedFd(header);
		if ((header.getFlags() & Linux.MSG_CTRUNC) != 0) {
			FileDescriptors.close(passedFd);
			throw new PosixException("recvmsg (control data truncated)", 0);
		}
		byte[] bytes = new byte[received];
		this.receiveBuffer.get(0, bytes);
		return new Received(bytes, passedFd);
	}

	private static int passedFd(MsgHdr header) {
		for (CmsgHdr control : header.getControls()) {
			if (control.getLevel() == Linux.SOL_SOCKET && control.getType() == Linux.SCM_RIGHTS) {
				ByteBuffer data = control.getData();
				if (data != null && data.remaining() >= 4) {
					return data.order(ByteOrder.nativeOrder()).getInt();
				}
			}
		}
		return -1;
	}

	@Override
	public void close() {
		LibC.INSTANCE.close(this.fd);
	}

	/**
	 * A received message.
	 *
	 * @param bytes the message bytes
	 * @param fd the descriptor passed with it, or {@code -1}
	 */
	public record Received(byte[] bytes, int fd) {
	}

}
