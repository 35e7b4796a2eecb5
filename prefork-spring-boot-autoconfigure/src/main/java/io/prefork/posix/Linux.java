package io.prefork.posix;

/**
 * Linux (x86_64 and aarch64) values that jnr-constants does not carry. The prefork server
 * is Linux-only: it relies on SOCK_SEQPACKET, accept4 and posix_spawn_file_actions_addclosefrom_np.
 */
final class Linux {

	static final int AF_UNIX = 1;

	static final int AF_INET = 2;

	static final int AF_INET6 = 10;

	static final int SOCK_STREAM = 1;

	static final int SOCK_SEQPACKET = 5;

	static final int SOCK_DGRAM = 2;

	static final int SO_TYPE = 3;

	static final int SO_ACCEPTCONN = 30;

	static final int SO_DOMAIN = 39;

	static final int F_GETFD = 1;

	static final int F_SETFD = 2;

	static final int FD_CLOEXEC = 1;

	static final int F_DUPFD_CLOEXEC = 1030;

	static final int F_GETFL = 3;

	static final int F_SETFL = 4;

	static final int SOCK_NONBLOCK = 0x800;

	static final int SOCK_CLOEXEC = 0x80000;

	static final int SOL_SOCKET = 1;

	static final int SO_REUSEADDR = 2;

	static final int SO_RCVLOWAT = 18;

	static final int SO_LINGER = 13;

	static final int SCM_RIGHTS = 1;

	static final int IPPROTO_IPV6 = 41;

	static final int IPPROTO_TCP = 6;

	static final int TCP_DEFER_ACCEPT = 9;

	/** {@code struct tcp_info}, whose {@code tcpi_bytes_received} (Linux 4.1+) is at 128. */
	static final int TCP_INFO = 11;

	static final int TCP_INFO_BYTES_RECEIVED = 128;

	/** {@code ioctl} request for the bytes waiting in a socket's receive queue (FIONREAD). */
	static final long SIOCINQ = 0x541B;

	static final int IPV6_V6ONLY = 26;

	static final int MSG_PEEK = 0x2;

	static final int MSG_DONTWAIT = 0x40;

	static final int MSG_CTRUNC = 0x8;

	static final int MSG_NOSIGNAL = 0x4000;

	static final int MSG_CMSG_CLOEXEC = 0x40000000;

	static final int SHUT_WR = 1;

	static final int O_RDONLY = 0;

	static final int O_WRONLY = 1;

	static final int O_CREAT = 0x40;

	static final int O_APPEND = 0x400;

	static final int O_NONBLOCK = 0x800;

	static final int O_CLOEXEC = 0x80000;

	static final int POLLIN = 0x1;

	static final int POLLERR = 0x8;

	static final int POLLHUP = 0x10;

	static final int WNOHANG = 1;

	static final int SIG_SETMASK = 2;

	/** The {@code sa_handler} value of an ignored signal. */
	static final long SIG_IGN = 1;

	/**
	 * Bytes enough for glibc's {@code struct sigaction} (152 on x86-64 and aarch64), whose
	 * first field is the handler; all zeros is the default action with no flags.
	 */
	static final int SIGACTION_SIZE = 256;

	static final short POSIX_SPAWN_SETPGROUP = 0x02;

	static final short POSIX_SPAWN_SETSIGDEF = 0x04;

	static final short POSIX_SPAWN_SETSIGMASK = 0x08;

	private Linux() {
	}

}
