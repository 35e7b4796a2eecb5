package io.prefork.worker.tomcat;

import java.io.IOException;
import java.nio.channels.SocketChannel;

import org.apache.tomcat.util.net.NioEndpoint;
import org.apache.tomcat.util.net.SecureNioChannel;
import org.apache.tomcat.util.net.SocketBufferHandler;

import io.prefork.worker.Worker;

/**
 * A TLS connection's channel: the master can never answer on it (it has no TLS session), so
 * its tracker says so at once; and, as for plain connections, Tomcat's close sends FIN
 * (after TLS's own close_notify) although the master holds a copy of the socket.
 */
final class TrackedSecureNioChannel extends SecureNioChannel {

	private final Worker worker;

	TrackedSecureNioChannel(SocketBufferHandler bufferHandler, NioEndpoint endpoint, Worker worker) {
		super(bufferHandler, endpoint);
		this.worker = worker;
	}

	@Override
	public void reset(SocketChannel channel, NioEndpoint.NioSocketWrapper socketWrapper) throws IOException {
		super.reset(channel, socketWrapper);
		if (channel != null) {
			this.worker.tracker(channel).opaque();
		}
	}

	@Override
	public void close() throws IOException {
		try {
			super.close();
		}
		finally {
			Shutdown.output(this.sc);
		}
	}

}
