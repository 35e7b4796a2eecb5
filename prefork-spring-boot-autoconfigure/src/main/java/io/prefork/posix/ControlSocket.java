package io.prefork.posix;

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

	/**
	 * Descriptors are passed by the master's loop thread and its management dispatch;
	 * short messages are sent by any thread (a worker's request threads report closed
	 * connections).
	 */
	private static final ThreadLocal<RightsHeader> SENDERS = ThreadLocal
		.withInitial(() -> new RightsHeader(RightsHeader.MAX_SENT_PAYLOAD));

	/** A message that was not there: {@link #receiveIfPending()} found none pending. */
	public static final Received NOTHING = new Received(new byte[0], -1);

	private final int fd;

	/** Only a worker's end receives descriptors; the master's never allocates one. */
	private RightsHeader receiver;

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
		if (send(message, Linux.MSG_NOSIGNAL) < 0) {
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
		if (send(message, Linux.MSG_DONTWAIT | Linux.MSG_NOSIGNAL) >= 0) {
			return true;
		}
		int errno = LibC.errno();
		if (PosixException.wouldBlock(errno)) {
			return false;
		}
		throw new PosixException("send", errno);
	}

	// A worker reports every closed connection: a short message goes through the thread's
	// header, which jnr calls directly; a byte[] argument goes through a temporary copy.
	private long send(byte[] message, int flags) {
		RightsHeader header = SENDERS.get();
		return (message.length <= header.capacity()) ? header.send(this.fd, message, flags)
				: LibC.INSTANCE.send(this.fd, message, message.length, flags);
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
		if (SENDERS.get().send(this.fd, message, length, passedFd, Linux.MSG_DONTWAIT | Linux.MSG_NOSIGNAL) >= 0) {
			return true;
		}
		int errno = LibC.errno();
		if (PosixException.wouldBlock(errno)) {
			return false;
		}
		throw new PosixException("sendmsg", errno);
	}

	/**
	 * Receive every pending message without blocking, as many as the batch holds, in one
	 * system call; no descriptor is expected.
	 * @param batch where to put them
	 * @return how many arrived; {@code 0} at EOF or reset (the peer is gone: messages it
	 * sent before are returned first, EOF by the next call); {@code -1} if none is pending
	 * @throws PosixException on an error
	 */
	public int receiveNow(MessageBatch batch) throws PosixException {
		int received = batch.receive(this.fd, Linux.MSG_DONTWAIT);
		if (received < 0) {
			int errno = LibC.errno();
			if (PosixException.wouldBlock(errno)) {
				return -1;
			}
			PosixException failure = new PosixException("recvmmsg", errno);
			if (failure.peerGone()) {
				return 0;
			}
			throw failure;
		}
		// At EOF the kernel fills every slot left with an empty message; none is ever sent.
		int messages = 0;
		while (messages < received && batch.length(messages) > 0) {
			messages++;
		}
		return messages;
	}

	/**
	 * Block until one message arrives, taking any descriptor passed with it (close-on-exec).
	 * One thread receives per socket.
	 * @return the message, or {@code null} at EOF or reset (the peer is gone)
	 * @throws PosixException on an error
	 */
	public Received receive() throws PosixException {
		return receive(0);
	}

	/**
	 * Receive one message if one is pending, as {@link #receive()} does, without blocking.
	 * @return the message, {@link #NOTHING} if none is pending, or {@code null} at EOF or
	 * reset (the peer is gone)
	 * @throws PosixException on an error
	 */
	public Received receiveIfPending() throws PosixException {
		return receive(Linux.MSG_DONTWAIT);
	}

	private Received receive(int flags) throws PosixException {
		if (this.receiver == null) {
			this.receiver = new RightsHeader(MAX_MESSAGE);
		}
		long received = this.receiver.receive(this.fd, Linux.MSG_CMSG_CLOEXEC | flags);
		if (received < 0) {
			int errno = LibC.errno();
			if (PosixException.wouldBlock(errno)) {
				return NOTHING;
			}
			PosixException failure = new PosixException("recvmsg", errno);
			if (failure.peerGone()) {
				return null;
			}
			throw failure;
		}
		if (received == 0) {
			return null;
		}
		int passedFd = this.receiver.receivedFd();
		if (this.receiver.controlTruncated()) {
			FileDescriptors.close(passedFd);
			throw new PosixException("recvmsg (control data truncated)", 0);
		}
		return new Received(this.receiver.payload((int) received), passedFd);
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
