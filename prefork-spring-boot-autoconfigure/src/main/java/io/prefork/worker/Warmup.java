package io.prefork.worker;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.prefork.PreforkSettings;

/**
 * A new worker's warm-up: GET requests it sends to itself and serves through its own Tomcat
 * (connector, filters, servlet, application) before it tells the master it is ready, so the
 * JIT has compiled the code clients will use. The connections come from a listener on an
 * ephemeral loopback port that lives only as long as the warm-up; their server ends go to
 * the same {@link Worker.ConnectionSink} that serves the master's connections. No port is
 * published and the master takes no part.
 */
final class Warmup {

	/** How long the connections still being served may take to close once time is up. */
	private static final long STOP_GRACE_MILLIS = 1000;

	private final PreforkSettings.Warmup settings;

	private final Worker.ConnectionSink sink;

	private final String threadName;

	private final AtomicInteger next = new AtomicInteger();

	private final Tally tally = new Tally();

	private ServerSocketChannel listener;

	/**
	 * Create a warm-up.
	 * @param settings what to request
	 * @param sink where the server ends of its connections are served
	 * @param threadName the name prefix of its client threads
	 */
	Warmup(PreforkSettings.Warmup settings, Worker.ConnectionSink sink, String threadName) {
		this.settings = settings;
		this.sink = sink;
		this.threadName = threadName;
	}

	/**
	 * Send the requests and wait for their answers, at most for the warm-up timeout.
	 * @return what happened
	 * @throws IOException if the loopback listener cannot be opened
	 */
	Result run() throws IOException {
		long started = System.nanoTime();
		long deadline = started + this.settings.timeout().toNanos();
		try (ServerSocketChannel listener = ServerSocketChannel.open()) {
			listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), this.settings.concurrency());
			this.listener = listener;
			List<Lane> lanes = startLanes();
			boolean finished = awaitLanes(lanes, deadline);
			if (!finished) {
				lanes.forEach(Lane::stop);
				awaitLanes(lanes, System.nanoTime() + STOP_GRACE_MILLIS * 1_000_000);
			}
			return this.tally.result(!finished, System.nanoTime() - started);
		}
	}

	private List<Lane> startLanes() {
		List<Lane> lanes = new ArrayList<>();
		int count = Math.min(this.settings.concurrency(), this.settings.requests());
		for (int i = 0; i < count; i++) {
			Lane lane = new Lane();
			lane.thread = new Thread(lane, this.threadName + "-" + i);
			lane.thread.setDaemon(true);
			lanes.add(lane);
			lane.thread.start();
		}
		return lanes;
	}

	private static boolean awaitLanes(List<Lane> lanes, long deadline) {
		try {
			for (Lane lane : lanes) {
				long left = deadline - System.nanoTime();
				if (left > 0) {
					lane.thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
				}
				if (lane.thread.isAlive()) {
					return false;
				}
			}
			return true;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	// One client at a time: the accepted connection is then surely that client's.
	private SocketChannel connect() throws IOException {
		synchronized (this.listener) {
			SocketChannel client = SocketChannel.open(this.listener.getLocalAddress());
			try {
				SocketChannel server = acceptFrom(client);
				if (!this.sink.serve(server)) {
					throw new IOException("the worker's Tomcat did not take the warm-up connection");
				}
				return client;
			}
			catch (IOException ex) {
				client.close();
				throw ex;
			}
		}
	}

	// Another local process may connect to the ephemeral port too; its connections are closed.
	private SocketChannel acceptFrom(SocketChannel client) throws IOException {
		while (true) {
			SocketChannel accepted = this.listener.accept();
			if (accepted.getRemoteAddress().equals(client.getLocalAddress())) {
				return accepted;
			}
			accepted.close();
		}
	}

	/**
	 * One client connection sending its share of the requests, one after another, with
	 * keep-alive as an HTTP client would.
	 */
	private final class Lane implements Runnable {

		private Thread thread;

		private volatile boolean stopped;

		private volatile SocketChannel connection;

		private InputStream input;

		@Override
		public void run() {
			int index;
			while (!this.stopped && (index = Warmup.this.next.getAndIncrement()) < Warmup.this.settings.requests()) {
				String path = Warmup.this.settings.paths().get(index % Warmup.this.settings.paths().size());
				try {
					Warmup.this.tally.answered(path, exchange(path));
				}
				catch (IOException | RuntimeException ex) {
					if (!this.stopped) {
						Warmup.this.tally.failed(path, ex.toString());
					}
					close();
				}
			}
			close();
		}

		private int exchange(String path) throws IOException {
			if (this.connection == null) {
				this.connection = connect();
				this.input = new BufferedInputStream(Channels.newInputStream(this.connection));
				if (this.stopped) {
					// Tomcat's connection limit held it back until after the timeout.
					throw new IOException("the warm-up is over");
				}
			}
			String request = "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nUser-Agent: prefork-warmup\r\n"
					+ "Accept: */*\r\n" + Worker.WARMUP_HEADER + ": 1\r\n\r\n";
			ByteBuffer bytes = ByteBuffer.wrap(request.getBytes(StandardCharsets.ISO_8859_1));
			while (bytes.hasRemaining()) {
				this.connection.write(bytes);
			}
			ResponseReader.Response response = ResponseReader.read(this.input);
			if (response.closes()) {
				close();
			}
			return response.status();
		}

		// Closing the client end from the warm-up's thread also ends a read it is blocked in.
		void stop() {
			this.stopped = true;
			close();
		}

		private void close() {
			SocketChannel open = this.connection;
			this.connection = null;
			if (open != null) {
				try {
					open.close();
				}
				catch (IOException ex) {
					// Closed anyway.
				}
			}
		}

	}

	/**
	 * The counts, shared by the lanes.
	 */
	private static final class Tally {

		private int completed;

		private int failed;

		private String firstFailure;

		synchronized void answered(String path, int status) {
			this.completed++;
			if (status < 200 || status >= 400) {
				failure(path, "answered " + status);
			}
		}

		synchronized void failed(String path, String problem) {
			this.completed++;
			failure(path, problem);
		}

		private void failure(String path, String problem) {
			this.failed++;
			if (this.firstFailure == null) {
				this.firstFailure = "GET " + path + " " + problem;
			}
		}

		synchronized Result result(boolean timedOut, long elapsedNanos) {
			return new Result(this.completed, this.failed, this.firstFailure, timedOut, elapsedNanos);
		}

	}

	/**
	 * What a warm-up did.
	 *
	 * @param completed requests answered or failed
	 * @param failed requests that failed or were answered with neither 2xx nor 3xx
	 * @param firstFailure what went wrong first, or {@code null}
	 * @param timedOut whether the warm-up timeout cut it short
	 * @param elapsedNanos how long it took
	 */
	record Result(int completed, int failed, String firstFailure, boolean timedOut, long elapsedNanos) {
	}

}
