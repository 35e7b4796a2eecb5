package io.prefork.worker.tomcat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

import org.apache.tomcat.util.net.NioChannel;
import org.apache.tomcat.util.net.NioEndpoint;
import org.apache.tomcat.util.net.SocketBufferHandler;

import io.prefork.worker.ConnectionTracker;
import io.prefork.worker.Worker;

/**
 * A plain connection's channel that tells its {@link ConnectionTracker} what crosses it, and
 * sends FIN when Tomcat closes it: the master holds a copy of the socket, so closing this
 * process's descriptor alone would not end the connection. A retiring worker leaves a
 * connection between requests open instead, for the master to hand on.
 */
final class TrackedNioChannel extends NioChannel {

	private final Worker worker;

	private ConnectionTracker tracker = ConnectionTracker.NONE;

	TrackedNioChannel(SocketBufferHandler bufferHandler, Worker worker) {
		super(bufferHandler);
		this.worker = worker;
	}

	@Override
	public void reset(SocketChannel channel, NioEndpoint.NioSocketWrapper socketWrapper) throws IOException {
		super.reset(channel, socketWrapper);
		this.tracker = (channel != null) ? this.worker.tracker(channel) : ConnectionTracker.NONE;
	}

	@Override
	public int read(ByteBuffer destination) throws IOException {
		int from = destination.position();
		int read = super.read(destination);
		this.tracker.read(destination, from, read);
		return read;
	}

	@Override
	public long read(ByteBuffer[] destinations, int offset, int length) throws IOException {
		int from = destinations[offset].position();
		long read = super.read(destinations, offset, length);
		this.tracker.read(destinations[offset], from, read);
		return read;
	}

	@Override
	public int write(ByteBuffer source) throws IOException {
		int from = source.position();
		int written = super.write(source);
		this.tracker.wrote(source, from, written);
		return written;
	}

	@Override
	public long write(ByteBuffer[] sources, int offset, int length) throws IOException {
		int from = sources[offset].position();
		long written = super.write(sources, offset, length);
		this.tracker.wrote(sources[offset], from, written);
		return written;
	}

	@Override
	public void close() throws IOException {
		if (this.worker.leavesOpen(this.tracker)) {
			Shutdown.none(this.sc);
		}
		else {
			Shutdown.output(this.sc);
		}
		super.close();
	}

}
