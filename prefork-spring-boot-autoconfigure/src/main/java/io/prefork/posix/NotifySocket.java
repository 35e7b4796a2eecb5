package io.prefork.posix;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Sends service-manager notifications ({@code sd_notify}: {@code READY=1},
 * {@code STOPPING=1}…) as datagrams to the {@code AF_UNIX} socket named by
 * {@code NOTIFY_SOCKET}; a name starting with {@code @} is in the abstract namespace.
 */
public final class NotifySocket {

	/** {@code sizeof(sun_path)}. */
	private static final int MAX_PATH = 108;

	private NotifySocket() {
	}

	/**
	 * Send one notification.
	 * @param socket the socket's path, or {@code @name} for an abstract one
	 * @param message the message, e.g. {@code READY=1}, several separated by newlines
	 * @throws PosixException if it cannot be sent
	 * @throws IllegalArgumentException if the socket name is unusable
	 */
	public static void send(String socket, String message) throws PosixException {
		byte[] address = address(socket);
		int fd = LibC.INSTANCE.socket(Linux.AF_UNIX, Linux.SOCK_DGRAM | Linux.SOCK_CLOEXEC, 0);
		if (fd < 0) {
			throw PosixException.last("socket AF_UNIX SOCK_DGRAM");
		}
		try {
			byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
			if (LibC.INSTANCE.sendto(fd, bytes, bytes.length, Linux.MSG_NOSIGNAL, address, address.length) < 0) {
				throw PosixException.last("sendto " + socket);
			}
		}
		finally {
			LibC.INSTANCE.close(fd);
		}
	}

	/**
	 * Encode a {@code sockaddr_un}: a path ends with a NUL, an abstract name starts with one
	 * and its length says where it ends.
	 * @param socket the path, or {@code @name}
	 * @return the address, exactly as long as the kernel is to read it
	 */
	static byte[] address(String socket) {
		boolean abstractName = socket.startsWith("@");
		byte[] name = (abstractName ? socket.substring(1) : socket).getBytes(StandardCharsets.UTF_8);
		if (socket.isEmpty() || name.length + 1 > MAX_PATH || (!abstractName && !socket.startsWith("/"))) {
			throw new IllegalArgumentException("NOTIFY_SOCKET='" + socket
					+ "' is neither an absolute path nor an abstract name (@…) of at most " + (MAX_PATH - 1) + " bytes");
		}
		ByteBuffer address = ByteBuffer.allocate(2 + 1 + name.length);
		address.order(ByteOrder.nativeOrder()).putShort((short) Linux.AF_UNIX);
		if (abstractName) {
			address.put((byte) 0).put(name);
		}
		else {
			address.put(name).put((byte) 0);
		}
		return address.array();
	}

}
