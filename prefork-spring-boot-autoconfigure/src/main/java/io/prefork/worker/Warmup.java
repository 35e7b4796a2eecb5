package io.prefork.worker;

import java.io.BufferedInputStream;
import java.io.Closeable;
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
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.prefork.PreforkSettings;

/**
 * A warm-up: GET requests sent to the application's own Tomcat (connector, filters, servlet,
 * application) so the JIT has compiled the code clients will use. A new worker sends them to
 * itself before it tells the master it is ready ({@link #throughSink}): the connections come
 * from a listener on an ephemeral loopback port that lives only as long as the warm-up, and
 * their server ends go to the same {@link Worker.ConnectionSink} that serves the master's
 * connections, so no port is published and the master takes no part. The JVM that trains
 * the workers' class-data archive sends them to its own loopback port
 * ({@link #toAddress}), so the archive holds what serving loads, and on JDK 25 its profiles.
 */
public final class Warmup {

	/** How long the connections still being served may take to close once time is up. */
	private static final long STOP_GRACE_MILLIS = 1000;

	private final PreforkSettings.Warmup settings;

	private final Dialer dialer;

	private final String threadName;

	private final AtomicInteger next = new AtomicInteger();

	private final Tally tally = new Tally();

	private Warmup(PreforkSettings.Warmup settings, Dialer dialer, String threadName) {
		this.settings = settings;
		this.dialer = dialer;
		this.threadName = threadName;
	}

	/**
	 * Warm up a worker's Tomcat through its connection sink.
	 * @param settings what to request
	 * @param sink where the server ends of its connections are served
	 * @param threadName the name prefix of its client threads
	 * @return what happened
	 * @throws IOException if the loopback listener cannot be opened
	 */
	static Result throughSink(PreforkSettings.Warmup settings, Worker.ConnectionSink sink, String threadName)
			throws IOException {
		try (SinkDialer dialer = new SinkDialer(settings.concurrency(), sink)) {
			return new Warmup(settings, dialer, threadName).run();
		}
	}

	/**
	 * Warm up a server listening on this address.
	 * @param settings what to request
	 * @param address where the server listens
	 * @param threadName the name prefix of its client threads
	 * @return what happened
	 */
	public static Result toAddress(PreforkSettings.Warmup settings, InetSocketAddress address, String threadName) {
		return new Warmup(settings, () -> SocketChannel.open(address), threadName).run();
	}

	/**
	 * Send the requests and wait for their answers, at most for the warm-up timeout.
	 * @return what happened
	 */
	private Result run() {
		long started = System.nanoTime();
		long deadline = started + this.settings.timeout().toNanos();
		List<Lane> lanes = startLanes();
		boolean finished = awaitLanes(lanes, deadline);
		if (!finished) {
			lanes.forEach(Lane::stop);
			awaitLanes(lanes, System.nanoTime() + STOP_GRACE_MILLIS * 1_000_000);
		}
		return this.tally.result(!finished, System.nanoTime() - started);
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

	/**
	 * Opens the client end of a new connection to the server being warmed up.
	 */
	@FunctionalInterface
	private interface Dialer {

		SocketChannel dial() throws IOException;

	}

	/**
	 * Connections through a listener on an ephemeral loopback port whose accepted ends go to
	 * a worker's connection sink.
	 */
	private static final class SinkDialer implements Dialer, Closeable {

		private final ServerSocketChannel listener;

		private final Worker.ConnectionSink sink;

		SinkDialer(int backlog, Worker.ConnectionSink sink) throws IOException {
			this.listener = ServerSocketChannel.open();
			this.sink = sink;
			try {
				this.listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), backlog);
			}
			catch (IOException ex) {
				this.listener.close();
				throw ex;
			}
		}

		// One client at a time: the accepted connection is then surely that client's.
		@Override
		public synchronized SocketChannel dial() throws IOException {
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

		@Override
		public void close() throws IOException {
			this.listener.close();
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
				this.connection = Warmup.this.dialer.dial();
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
	public record Result(int completed, int failed, String firstFailure, boolean timedOut, long elapsedNanos) {

		/**
		 * Say what happened in one line, e.g. "3000 requests to 3 paths in 41.2 s, 0 failed".
		 * @param plan the warm-up that ran
		 * @return the summary
		 */
		public String describe(PreforkSettings.Warmup plan) {
			return (this.timedOut ? this.completed + " of " : "") + plan.requests() + " requests to "
					+ plan.paths().size() + ((plan.paths().size() == 1) ? " path" : " paths") + " in "
					+ String.format(Locale.ROOT, "%.1f s", this.elapsedNanos / 1e9) + ", " + this.failed + " failed"
					+ ((this.firstFailure != null) ? " (first: " + this.firstFailure + ")" : "");
		}

	}

}
