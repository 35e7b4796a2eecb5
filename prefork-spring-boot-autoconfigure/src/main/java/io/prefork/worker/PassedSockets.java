package io.prefork.worker;

import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;

import io.prefork.PreforkException;
import io.prefork.posix.FileDescriptors;

/**
 * Turns a passed connection fd into a real JDK {@link SocketChannel} (so Tomcat's NIO
 * connector serves it and {@code getRemoteAddr()} is the client's). The JDK has no public
 * API for this; it needs {@code --add-opens java.base/sun.nio.ch=ALL-UNNAMED}, which the
 * master passes to its workers. Checked once at worker start so a JVM that forbids it fails
 * fast with a clear message.
 */
final class PassedSockets {

	private final Method newFd;

	private final Method configureBlocking;

	private final Method remoteAddress;

	private final Constructor<?> socketChannel;

	private PassedSockets() throws ReflectiveOperationException {
		Class<?> ioUtil = Class.forName("sun.nio.ch.IOUtil");
		this.newFd = accessible(ioUtil.getDeclaredMethod("newFD", int.class));
		this.configureBlocking = accessible(
				ioUtil.getDeclaredMethod("configureBlocking", FileDescriptor.class, boolean.class));
		this.remoteAddress = accessible(
				Class.forName("sun.nio.ch.Net").getDeclaredMethod("remoteAddress", FileDescriptor.class));
		this.socketChannel = accessible(Class.forName("sun.nio.ch.SocketChannelImpl").getDeclaredConstructor(
				SelectorProvider.class, ProtocolFamily.class, FileDescriptor.class, SocketAddress.class));
	}

	private static <T extends java.lang.reflect.AccessibleObject> T accessible(T member) {
		member.setAccessible(true);
		return member;
	}

	/**
	 * Check that this JVM allows adopting fds.
	 * @return the adopter
	 * @throws PreforkException if the JDK internals are not accessible
	 */
	static PassedSockets probe() {
		try {
			return new PassedSockets();
		}
		catch (ReflectiveOperationException | RuntimeException ex) {
			throw new PreforkException(
					"This worker JVM cannot turn a passed connection into a SocketChannel: " + ex.getMessage(),
					"Start workers with '--add-opens java.base/sun.nio.ch=ALL-UNNAMED' (the master adds it unless "
							+ "something removes it), or set 'server.prefork.dispatch=shared-accept' (or accept-on-command), "
							+ "which need no JDK internals.",
					ex);
		}
	}

	/**
	 * Adopt a connected TCP socket.
	 * @param fd the socket's fd, owned by the returned channel from now on
	 * @return the channel, in blocking mode as a freshly accepted one is
	 * @throws IOException if the socket is unusable (e.g. the client already reset it)
	 */
	SocketChannel adopt(int fd) throws IOException {
		try {
			ProtocolFamily family = FileDescriptors.isIpv6Socket(fd) ? StandardProtocolFamily.INET6
					: StandardProtocolFamily.INET;
			FileDescriptor descriptor = (FileDescriptor) this.newFd.invoke(null, fd);
			this.configureBlocking.invoke(null, descriptor, true);
			InetSocketAddress remote = (InetSocketAddress) this.remoteAddress.invoke(null, descriptor);
			return (SocketChannel) this.socketChannel.newInstance(SelectorProvider.provider(), family, descriptor,
					remote);
		}
		catch (InvocationTargetException ex) {
			throw (ex.getCause() instanceof IOException io) ? io : new IOException(ex.getCause());
		}
		catch (ReflectiveOperationException ex) {
			throw new IOException(ex);
		}
	}

}
