package io.prefork.worker.tomcat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.apache.tomcat.util.collections.SynchronizedStack;
import org.apache.tomcat.util.net.NioChannel;
import org.apache.tomcat.util.net.NioEndpoint;
import org.apache.tomcat.util.net.SocketBufferHandler;
import org.apache.tomcat.util.net.SocketEvent;
import org.apache.tomcat.util.net.SocketWrapperBase;

import io.prefork.protocol.Connector;
import io.prefork.worker.Worker;

/**
 * A {@link NioEndpoint} that binds nothing: the worker's control thread registers the
 * connections the master hands over for this endpoint's server (the application's or the
 * management server), and every connection's close is reported back so the master knows
 * how busy this worker is. Everything else (poller, keep-alive, TLS, HTTP/2
 * upgrade) is Tomcat's own.
 */
class HandoffEndpoint extends NioEndpoint {

	private static final Log logger = LogFactory.getLog(HandoffEndpoint.class);

	private final Worker worker;

	private final Connector connector;

	private final Semaphore acceptorReleased = new Semaphore(0);

	HandoffEndpoint(Worker worker, Connector connector) {
		this.worker = worker;
		this.connector = connector;
		// Tomcat removes a connection from this map exactly once, when it closes it.
		this.connections = new ConcurrentHashMap<>() {

			@Override
			public SocketWrapperBase<NioChannel> remove(Object key) {
				SocketWrapperBase<NioChannel> removed = super.remove(key);
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
		boolean plainHttp = !isSSLEnabled();
		this.worker.serveWith(this.connector, new Worker.ConnectionSink() {

			@Override
			public boolean serve(SocketChannel connection) {
				return HandoffEndpoint.this.serve(connection);
			}

			@Override
			public boolean speaksPlainHttp() {
				return plainHttp;
			}

		});
	}

	/**
	 * Serve a handed-over connection on the worker's control thread (or a warm-up
	 * connection on the warm-up's): what Tomcat's acceptor does after an accept. Doing it
	 * here saves a thread hand-off per connection, and connections arriving while the
	 * connector pauses for a graceful shutdown are still served rather than dropped.
	 * @param connection the connection
	 * @return {@code false} if it could not be registered
	 */
	private boolean serve(SocketChannel connection) {
		if (!isRunning()) {
			// Stopped: a worker's servers stop before its JVM exits. Never registered with a
			// selector, the channel closes without a FIN, so the master can hand it on.
			try {
				connection.close();
			}
			catch (IOException ex) {
				// Closed anyway.
			}
			return false;
		}
		try {
			countUpOrAwaitConnection();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
		if (setSocketOptions(connection)) {
			return true;
		}
		closeSocket(connection);
		return false;
	}

	/**
	 * Tomcat's own setup of an accepted connection, except the last step: instead of
	 * registering it with the poller, which wakes the poller to add it to its selector and
	 * dispatch it once readable, hand it straight to a request thread. A handed-over
	 * connection has usually sent its request already (the master waits for it before
	 * accepting), so this saves a thread hand-off and two {@code epoll_ctl} calls per
	 * connection; the socket joins the selector when Tomcat first waits on it
	 * ({@link LazilyRegisteredSocket}), and a closed one never waits for the poller to
	 * release its descriptor.
	 */
	@Override
	protected boolean setSocketOptions(SocketChannel socket) {
		LazilyRegisteredSocket wrapper = null;
		try {
			SynchronizedStack<NioChannel> cache = getNioChannels();
			NioChannel channel = (cache != null) ? cache.pop() : null;
			if (channel == null) {
				channel = createChannel(new SocketBufferHandler(this.socketProperties.getAppReadBufSize(),
						this.socketProperties.getAppWriteBufSize(), this.socketProperties.getDirectBuffer()));
			}
			LazilyRegisteredSocket created = new LazilyRegisteredSocket(channel, this);
			channel.reset(socket, created);
			this.connections.put(socket, created);
			wrapper = created;
			socket.configureBlocking(false);
			if (getUnixDomainSocketPath() == null) {
				this.socketProperties.setProperties(socket.socket());
			}
			wrapper.setReadTimeout(getConnectionTimeout());
			wrapper.setWriteTimeout(getConnectionTimeout());
			wrapper.setKeepAliveLeft(getMaxKeepAliveRequests());
		}
		catch (IOException | RuntimeException ex) {
			logger.error("Could not set up a handed-over connection", ex);
			if (wrapper == null) {
				destroySocket(socket);
			}
			// Otherwise the caller closes it through its wrapper, as Tomcat's acceptor does.
			return false;
		}
		if (!processSocket(wrapper, SocketEvent.OPEN_READ, true)) {
			wrapper.close();
		}
		return true;
	}

	/**
	 * Called as the endpoint stops, after its poller closed every connection in its
	 * selector: close, as it would have, those that never joined it (being served), before
	 * the request threads are stopped.
	 */
	@Override
	public void shutdownExecutor() {
		List.copyOf(this.connections.values()).forEach(SocketWrapperBase::close);
		super.shutdownExecutor();
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
		// Tomcat's acceptor thread has nothing to accept: connections come through serve().
		// It waits here until the connector pauses or stops, then gets a harmless,
		// unconnected channel, which it destroys because the endpoint is paused.
		this.acceptorReleased.acquire();
		return SocketChannel.open();
	}

	@Override
	protected void unlockAccept() {
		this.acceptorReleased.release();
	}

	@Override
	protected void doCloseServerSocket() {
		// Nothing is bound.
	}

	@Override
	protected NioChannel createChannel(SocketBufferHandler bufferHandler) {
		return isSSLEnabled() ? new TrackedSecureNioChannel(bufferHandler, this, this.worker)
				: new TrackedNioChannel(bufferHandler, this.worker);
	}

	@Override
	protected void destroySocket(SocketChannel socket) {
		super.destroySocket(socket);
		this.worker.connectionClosed(socket);
	}

}
