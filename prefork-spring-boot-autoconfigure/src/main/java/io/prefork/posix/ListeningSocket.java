package io.prefork.posix;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import jnr.constants.platform.Errno;
import jnr.ffi.byref.IntByReference;

/**
 * The master's listening TCP socket: non-blocking, close-on-exec, so no worker inherits it
 * by accident and a poll that races with another accept never blocks the loop.
 */
public final class ListeningSocket implements AutoCloseable {

	private final int fd;

	private final int port;

	private ListeningSocket(int fd, int port) {
		this.fd = fd;
		this.port = port;
	}

	/**
	 * Bind and listen.
	 * @param address the address to bind, or {@code null} for every local address (IPv6
	 * dual-stack when the machine has IPv6, else IPv4)
	 * @param port the port, {@code 0} for an ephemeral one
	 * @param backlog the listen backlog
	 * @return the listening socket
	 * @throws PosixException if the socket cannot be bound
	 */
	public static ListeningSocket open(InetAddress address, int port, int backlog) throws PosixException {
		boolean ipv6 = (address == null) ? ipv6Available() : address instanceof Inet6Address;
		int family = ipv6 ? Linux.AF_INET6 : Linux.AF_INET;
		int fd = LibC.INSTANCE.socket(family, Linux.SOCK_STREAM | Linux.SOCK_NONBLOCK | Linux.SOCK_CLOEXEC, 0);
		if (fd < 0) {
			throw PosixException.last("socket");
		}
		try {
			setOption(fd, Linux.SOL_SOCKET, Linux.SO_REUSEADDR, 1);
			if (ipv6 && address == null) {
				setOption(fd, Linux.IPPROTO_IPV6, Linux.IPV6_V6ONLY, 0);
			}
			byte[] sockaddr = SocketAddresses.encode(family, address, port);
			if (LibC.INSTANCE.bind(fd, sockaddr, sockaddr.length) != 0) {
				throw PosixException.last("bind to " + SocketAddresses.describe(address, port));
			}
			if (LibC.INSTANCE.listen(fd, backlog) != 0) {
				throw PosixException.last("listen");
			}
			return new ListeningSocket(fd, boundPort(fd));
		}
		catch (PosixException ex) {
			LibC.INSTANCE.close(fd);
			throw ex;
		}
	}

	/**
	 * Take over a listening socket this process inherited, e.g. from systemd's socket
	 * activation: check that it is a listening TCP socket, then make it non-blocking and
	 * close-on-exec like one this class binds. Only once taken: until then it must survive
	 * an {@code exec} of this process.
	 * @param fd the inherited fd
	 * @return the listening socket
	 * @throws PosixException if the fd is not open or not a socket
	 * @throws IllegalArgumentException if it is a socket, but not a listening TCP one
	 */
	public static ListeningSocket inherit(int fd) throws PosixException {
		int domain = option(fd, Linux.SO_DOMAIN);
		if (domain != Linux.AF_INET && domain != Linux.AF_INET6) {
			throw new IllegalArgumentException("it is not an IPv4 or IPv6 socket (address family " + domain + ")");
		}
		if (option(fd, Linux.SO_TYPE) != Linux.SOCK_STREAM) {
			throw new IllegalArgumentException("it is not a stream (TCP) socket");
		}
		if (option(fd, Linux.SO_ACCEPTCONN) != 1) {
			throw new IllegalArgumentException("it is not listening");
		}
		int flags = LibC.INSTANCE.fcntl(fd, Linux.F_GETFL, 0);
		if (flags < 0 || LibC.INSTANCE.fcntl(fd, Linux.F_SETFL, flags | Linux.O_NONBLOCK) != 0) {
			throw PosixException.last("fcntl O_NONBLOCK");
		}
		if (LibC.INSTANCE.fcntl(fd, Linux.F_SETFD, Linux.FD_CLOEXEC) != 0) {
			throw PosixException.last("fcntl FD_CLOEXEC");
		}
		return new ListeningSocket(fd, boundPort(fd));
	}

	private static int option(int fd, int name) throws PosixException {
		byte[] value = new byte[4];
		IntByReference length = new IntByReference(value.length);
		if (LibC.INSTANCE.getsockopt(fd, Linux.SOL_SOCKET, name, value, length) != 0) {
			throw PosixException.last("getsockopt " + name + " of fd " + fd);
		}
		return ByteBuffer.wrap(value).order(ByteOrder.nativeOrder()).getInt();
	}

	/**
	 * Describe the local address, e.g. {@code 127.0.0.1:8080} or {@code [::]:80}.
	 * @return the address and port
	 */
	public String localAddress() {
		try {
			byte[] sockaddr = new byte[128];
			IntByReference length = new IntByReference(sockaddr.length);
			if (LibC.INSTANCE.getsockname(this.fd, sockaddr, length) != 0) {
				return "?:" + this.port;
			}
			int family = ByteBuffer.wrap(sockaddr, 0, 2).order(ByteOrder.nativeOrder()).getShort();
			byte[] raw = (family == Linux.AF_INET6) ? java.util.Arrays.copyOfRange(sockaddr, 8, 24)
					: java.util.Arrays.copyOfRange(sockaddr, 4, 8);
			String host = InetAddress.getByAddress(raw).getHostAddress();
			return ((family == Linux.AF_INET6) ? "[" + host + "]" : host) + ":" + this.port;
		}
		catch (java.net.UnknownHostException ex) {
			return "?:" + this.port;
		}
	}

	private static boolean ipv6Available() {
		int probe = LibC.INSTANCE.socket(Linux.AF_INET6, Linux.SOCK_STREAM | Linux.SOCK_CLOEXEC, 0);
		if (probe < 0) {
			return false;
		}
		LibC.INSTANCE.close(probe);
		return true;
	}

	private static void setOption(int fd, int level, int option, int value) throws PosixException {
		if (LibC.INSTANCE.setsockopt(fd, level, option, new IntByReference(value), 4) != 0) {
			throw PosixException.last("setsockopt " + option);
		}
	}

	private static int boundPort(int fd) throws PosixException {
		byte[] sockaddr = new byte[128];
		IntByReference length = new IntByReference(sockaddr.length);
		if (LibC.INSTANCE.getsockname(fd, sockaddr, length) != 0) {
			throw PosixException.last("getsockname");
		}
		// sin_port and sin6_port sit at the same offset, in network byte order.
		return ByteBuffer.wrap(sockaddr, 2, 2).order(ByteOrder.BIG_ENDIAN).getShort() & 0xFFFF;
	}

	/**
	 * Have the kernel hold each new connection until its first bytes arrive, or for about
	 * this long (Linux {@code TCP_DEFER_ACCEPT}, as Apache's {@code AcceptFilter} and nginx's
	 * {@code deferred} use), so that an accepted connection usually has its request waiting.
	 * @param seconds how long at most
	 * @throws PosixException if the option cannot be set
	 */
	public void deferAccept(int seconds) throws PosixException {
		setOption(this.fd, Linux.IPPROTO_TCP, Linux.TCP_DEFER_ACCEPT, seconds);
	}

	/**
	 * Accept one pending connection.
	 * @return the connection's fd (non-blocking, close-on-exec), or {@code -1} when none is
	 * pending or the client gave up before it was accepted
	 * @throws PosixException on any other error, e.g. EMFILE
	 */
	public int accept() throws PosixException {
		int connection = LibC.INSTANCE.accept4(this.fd, null, null, Linux.SOCK_NONBLOCK | Linux.SOCK_CLOEXEC);
		if (connection >= 0) {
			return connection;
		}
		int errno = LibC.errno();
		if (errno == Errno.EAGAIN.intValue() || errno == Errno.EWOULDBLOCK.intValue()
				|| errno == Errno.ECONNABORTED.intValue() || errno == Errno.EINTR.intValue()
				|| errno == Errno.EPROTO.intValue()) {
			return -1;
		}
		throw new PosixException("accept4", errno);
	}

	/**
	 * Return the file descriptor.
	 * @return the fd
	 */
	public int fd() {
		return this.fd;
	}

	/**
	 * Return the bound port (the real one when 0 was asked for).
	 * @return the port
	 */
	public int port() {
		return this.port;
	}

	@Override
	public void close() {
		LibC.INSTANCE.close(this.fd);
	}

}
