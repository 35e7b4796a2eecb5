package io.prefork.worker.tomcat;

import java.net.InetSocketAddress;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

import org.apache.tomcat.util.net.NioEndpoint;
import org.apache.tomcat.util.net.SocketWrapperBase;

import io.prefork.worker.Worker;

/**
 * A {@link NioEndpoint} that binds nothing: its acceptor takes the connections the master
 * hands over, and every connection's close is reported back so the master knows how busy
 * this worker is. Everything else (poller, keep-alive, TLS, HTTP/2 upgrade) is Tomcat's own.
 */
class HandoffEndpoint extends NioEndpoint {

	private final Worker worker;

	HandoffEndpoint(Worker worker) {
		this.worker = worker;
		// Tomcat removes a connection from this map exactly once, when it closes it.
		this.connections = new ConcurrentHashMap<>() {

			@Override
			public SocketWrapperBase<org.apache.tomcat.util.net.NioChannel> remove(Object key) {
				SocketWrapperBase<org.apache.tomcat.util.net.NioChannel> removed = super.remove(key);
				if (key instanceof SocketChannel channel) {
					worker.connectionClosed(channel);
				}
				return removed;
			}

		};
	}

	@Override
	public void bind() throws Exception {
		setStopLatch(new CountDownLatch(1));
		initialiseSsl();
	}

	@Override
	protected void initServerSocket() {
		// The master owns the listening socket.
	}

	@Override
	protected NetworkChannel getServerSocket() {
		// Reports the master's address and port as this connector's local address.
		return new MasterAddress(new InetSocketAddress(getAddress(), getPort()));
	}

	@Override
	protected SocketChannel serverSocketAccept() throws Exception {
		SocketChannel connection = this.worker.takeConnection();
		// Woken up to pause or stop: hand Tomcat's acceptor a harmless, unconnected channel,
		// which it destroys because the endpoint is paused.
		return (connection != null) ? connection : SocketChannel.open();
	}

	@Override
	protected void unlockAccept() {
		this.worker.wakeUpTaker();
	}

	@Override
	protected void doCloseServerSocket() {
		// Nothing is bound.
	}

	@Override
	protected void destroySocket(SocketChannel socket) {
		super.destroySocket(socket);
		this.worker.connectionClosed(socket);
	}

}
