package io.prefork.worker.tomcat;

import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.channels.NetworkChannel;
import java.util.Set;

/**
 * Stands in for the server socket a worker does not have, so Tomcat's
 * {@code getLocalPort()} (and with it Spring Boot's {@code local.server.port}) reports the
 * port the master listens on.
 */
final class MasterAddress implements NetworkChannel {

	private final SocketAddress address;

	MasterAddress(SocketAddress address) {
		this.address = address;
	}

	@Override
	public SocketAddress getLocalAddress() {
		return this.address;
	}

	@Override
	public NetworkChannel bind(SocketAddress local) {
		throw new UnsupportedOperationException("A prefork worker binds nothing");
	}

	@Override
	public <T> NetworkChannel setOption(SocketOption<T> name, T value) {
		throw new UnsupportedOperationException("A prefork worker has no server socket");
	}

	@Override
	public <T> T getOption(SocketOption<T> name) {
		throw new UnsupportedOperationException("A prefork worker has no server socket");
	}

	@Override
	public Set<SocketOption<?>> supportedOptions() {
		return Set.of();
	}

	@Override
	public boolean isOpen() {
		return true;
	}

	@Override
	public void close() {
		// Nothing to close.
	}

}
