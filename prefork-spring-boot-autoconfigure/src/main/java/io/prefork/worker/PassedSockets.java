package io.prefork.worker;

import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.EnumMap;
import java.util.Map;

import io.prefork.PreforkException;
import io.prefork.posix.FileDescriptors;
import io.prefork.protocol.Connector;

/**
 * Turns a passed connection fd into a real JDK {@link SocketChannel} (so Tomcat's NIO
 * connector serves it and {@code getRemoteAddr()} is the client's). The JDK has no public
 * API for this; it needs {@code --add-opens java.base/sun.nio.ch=ALL-UNNAMED}, which the
 * master passes to its workers. Checked once at worker start so a JVM that forbids it fails
 * fast with a clear message. Used by the worker's control thread only.
 */
final class PassedSockets {

	/**
	 * Each server's address family, learned from its first connection: every connection of
	 * a server comes from the same listening socket in the master, so one
	 * {@code getsockname} per server instead of one per connection.
	 */
	private final Map<Connector, ProtocolFamily> families = new EnumMap<>(Connector.class);

	private PassedSockets() {
	}

	/**
	 * Check that this JVM allows adopting fds.
	 * @return the adopter
	 * @throws PreforkException if the JDK internals are not accessible
	 */
	static PassedSockets probe() {
		if (JdkInternals.FAILURE != null) {
			throw new PreforkException(
					"This worker JVM cannot turn a passed connection into a SocketChannel: "
							+ JdkInternals.FAILURE.getMessage(),
					"Start workers with '--add-opens java.base/sun.nio.ch=ALL-UNNAMED' (the master adds it unless "
							+ "something removes it), or set 'server.prefork.dispatch=shared-accept' (or accept-on-command), "
							+ "which need no JDK internals.",
					JdkInternals.FAILURE);
		}
		return new PassedSockets();
	}

	/**
	 * Adopt a connected TCP socket.
	 * @param fd the socket's fd, owned by the returned channel from now on
	 * @param connector the server it was accepted for
	 * @return the channel, in blocking mode as a freshly accepted one is
	 * @throws IOException if the socket is unusable (e.g. the client already reset it)
	 */
	SocketChannel adopt(int fd, Connector connector) throws IOException {
		try {
			ProtocolFamily family = this.families.get(connector);
			if (family == null) {
				family = FileDescriptors.isIpv6Socket(fd) ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
				this.families.put(connector, family);
			}
			FileDescriptor descriptor = (FileDescriptor) JdkInternals.NEW_FD.invokeExact(fd);
			JdkInternals.CONFIGURE_BLOCKING.invokeExact(descriptor, true);
			SocketAddress remote = (SocketAddress) JdkInternals.REMOTE_ADDRESS.invokeExact(descriptor);
			return (SocketChannel) JdkInternals.SOCKET_CHANNEL.invokeExact(SelectorProvider.provider(), family,
					descriptor, remote);
		}
		catch (IOException | RuntimeException | Error ex) {
			throw ex;
		}
		catch (Throwable ex) {
			throw new IOException(ex);
		}
	}

	/**
	 * The JDK internals, resolved once into constant method handles (which the JIT inlines
	 * like direct calls), or why they could not be.
	 */
	private static final class JdkInternals {

		static final MethodHandle NEW_FD;

		static final MethodHandle CONFIGURE_BLOCKING;

		static final MethodHandle REMOTE_ADDRESS;

		static final MethodHandle SOCKET_CHANNEL;

		static final Exception FAILURE;

		static {
			MethodHandle[] handles = new MethodHandle[4];
			Exception failure = null;
			try {
				MethodHandles.Lookup lookup = MethodHandles.lookup();
				Class<?> ioUtil = Class.forName("sun.nio.ch.IOUtil");
				handles[0] = lookup.unreflect(accessible(ioUtil.getDeclaredMethod("newFD", int.class)))
					.asType(MethodType.methodType(FileDescriptor.class, int.class));
				handles[1] = lookup
					.unreflect(accessible(
							ioUtil.getDeclaredMethod("configureBlocking", FileDescriptor.class, boolean.class)))
					.asType(MethodType.methodType(void.class, FileDescriptor.class, boolean.class));
				handles[2] = lookup
					.unreflect(accessible(
							Class.forName("sun.nio.ch.Net").getDeclaredMethod("remoteAddress", FileDescriptor.class)))
					.asType(MethodType.methodType(SocketAddress.class, FileDescriptor.class));
				handles[3] = lookup
					.unreflectConstructor(accessible(Class.forName("sun.nio.ch.SocketChannelImpl")
						.getDeclaredConstructor(SelectorProvider.class, ProtocolFamily.class, FileDescriptor.class,
								SocketAddress.class)))
					.asType(MethodType.methodType(SocketChannel.class, SelectorProvider.class, ProtocolFamily.class,
							FileDescriptor.class, SocketAddress.class));
			}
			catch (ReflectiveOperationException | RuntimeException ex) {
				failure = ex;
			}
			NEW_FD = handles[0];
			CONFIGURE_BLOCKING = handles[1];
			REMOTE_ADDRESS = handles[2];
			SOCKET_CHANNEL = handles[3];
			FAILURE = failure;
		}

		private static <T extends java.lang.reflect.AccessibleObject> T accessible(T member) {
			member.setAccessible(true);
			return member;
		}

	}

}
