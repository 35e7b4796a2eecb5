package io.prefork.posix;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Encodes {@code sockaddr_in} and {@code sockaddr_in6}.
 */
final class SocketAddresses {

	private SocketAddresses() {
	}

	static byte[] encode(int family, InetAddress address, int port) {
		boolean ipv6 = family == Linux.AF_INET6;
		ByteBuffer buffer = ByteBuffer.allocate(ipv6 ? 28 : 16);
		buffer.order(ByteOrder.nativeOrder()).putShort((short) family);
		buffer.order(ByteOrder.BIG_ENDIAN).putShort((short) port);
		byte[] raw = (address != null) ? address.getAddress() : new byte[ipv6 ? 16 : 4];
		if (ipv6) {
			buffer.putInt(0).put(raw);
			buffer.order(ByteOrder.nativeOrder()).putInt(scopeId(address));
		}
		else {
			buffer.put(raw);
		}
		return buffer.array();
	}

	private static int scopeId(InetAddress address) {
		return (address instanceof java.net.Inet6Address inet6) ? inet6.getScopeId() : 0;
	}

	static String describe(InetAddress address, int port) {
		return ((address != null) ? address.getHostAddress() : "*") + ":" + port;
	}

}
