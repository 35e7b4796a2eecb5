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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.prefork.PreforkSettings;
import io.prefork.posix.CompilerThreads;

/**
 * A warm-up: GET requests sent to the application's own Tomcat (connector, filters, servlet,
 * application) so the JIT has compiled the code clients will use. A new worker sends them to
 * itself before it tells the master it is ready ({@link #throughSink}): the connections come
 * from a listener on an ephemeral loopback port that lives only as long as the warm-up, and
 * their server ends go to the same {@link Worker.ConnectionSink} that serves the master's
 * connections, so no port is published and the master takes no part. The JVM that trains
 * the workers' class-data archive sends them to its own loopback port
 * ({@link #toAddress}), so the archive holds what serving loads, and on JDK 25 its profiles.
 * <p>
 * Past the planned requests it may go on until the JIT compilers are quiet: a JVM that has
 * served a few thousand requests still compiles their hot code with C2 for a while, and
 * clients would meet it half-compiled.
 */
public final class Warmup {

	private static final Log logger = LogFactory.getLog(Warmup.class);

	/** How long the connections still being served may take to close once time is up. */
	private static final long STOP_GRACE_MILLIS = 1000;

	/** How often the JIT compilers' activity is sampled. */
	static final long STEP_NANOS = TimeUnit.SECONDS.toNanos(1);

	/**
	 * A step lasts until the process has used at least this much CPU, so that its share is
	 * a measure and not a few clock ticks: on a busy machine a second may bring less.
	 */
	static final long STEP_MIN_CPU_MILLIS = 200;

	/**
	 * A step is quiet when the JIT compiler threads used less than this share of the CPU the
	 * whole process used in it. A share of the process, not of the wall clock: on cores busy
	 * serving other workers the compilers get as little CPU as the warm-up, and a share of
	 * the wall clock would call them quiet with half the hot code still queued.
	 */
	static final double QUIET_SHARE = 0.10;

	/**
	 * The JIT compilers are quiet after this many quiet steps in a row: a single one can be a
	 * pause between bursts of compilations.
	 */
	static final int QUIET_STEPS = 2;

	private final PreforkSettings.Warmup settings;

	private final Dialer dialer;

	private final String threadName;

	private final LongSupplier compilerMillis;

	private final LongSupplier processMillis;

	/** Whether requests go on past the planned ones until the JIT compilers are quiet. */
	private final boolean awaitJit;

	private final Tally tally = new Tally();

	/** The index of the next request to send. */
	private int next;

	/** Whether requests past the planned ones are no longer wanted. */
	private boolean enough;

	private CountDownLatch lanesDone;

	private Warmup(PreforkSettings.Warmup settings, Dialer dialer, String threadName, LongSupplier compilerMillis,
			LongSupplier processMillis) {
		this.settings = settings;
		this.dialer = dialer;
		this.threadName = threadName;
		this.compilerMillis = compilerMillis;
		this.processMillis = processMillis;
		this.awaitJit = settings.untilCompiled() && compilerMillis.getAsLong() >= 0 && processMillis.getAsLong() >= 0;
		this.enough = !this.awaitJit;
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
		return throughSink(settings, sink, threadName, CompilerThreads.clock(), Warmup::processCpuMillis);
	}

	/**
	 * Warm up through a connection sink, reading the JIT compilers' activity from these clocks.
	 * @param settings what to request
	 * @param sink where the server ends of its connections are served
	 * @param threadName the name prefix of its client threads
	 * @param compilerMillis the compiler threads' CPU time so far in milliseconds, or -1 if unknown
	 * @param processMillis the whole process's CPU time so far in milliseconds, or -1 if unknown
	 * @return what happened
	 * @throws IOException if the loopback listener cannot be opened
	 */
	static Result throughSink(PreforkSettings.Warmup settings, Worker.ConnectionSink sink, String threadName,
			LongSupplier compilerMillis, LongSupplier processMillis) throws IOException {
		try (SinkDialer dialer = new SinkDialer(settings.concurrency(), sink)) {
			return new Warmup(settings, dialer, threadName, compilerMillis, processMillis).run();
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
		return new Warmup(settings, () -> SocketChannel.open(address), threadName, CompilerThreads.clock(),
				Warmup::processCpuMillis)
			.run();
	}

	private static long processCpuMillis() {
		return ProcessHandle.current().info().totalCpuDuration().map(Duration::toMillis).orElse(-1L);
	}

	/**
	 * Send the requests and wait for their answers, at most for the warm-up timeout.
	 * @return what happened
	 */
	private Result run() {
		long started = System.nanoTime();
		long deadline = started + this.settings.timeout().toNanos();
		List<Lane> lanes = startLanes();
		boolean finished = watch(deadline);
		if (!finished) {
			lanes.forEach(Lane::stop);
			awaitLanesQuietly();
		}
		return this.tally.result(this.settings.requests(), jitOutcome(), System.nanoTime() - started);
	}

	private void awaitLanesQuietly() {
		try {
			this.lanesDone.await(STOP_GRACE_MILLIS, TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	// Waits for the lanes in steps, deciding after each whether the JIT has gone quiet.
	private boolean watch(long deadline) {
		long stepStarted = System.nanoTime();
		long compiled = this.compilerMillis.getAsLong();
		long used = this.processMillis.getAsLong();
		int quietSteps = 0;
		try {
			while (true) {
				long left = deadline - System.nanoTime();
				if (left <= 0) {
					return false;
				}
				if (this.lanesDone.await(Math.min(left, STEP_NANOS), TimeUnit.NANOSECONDS)) {
					return true;
				}
				long usedNow = this.processMillis.getAsLong();
				if (usedNow - used < STEP_MIN_CPU_MILLIS) {
					continue;
				}
				long now = System.nanoTime();
				long compiledNow = this.compilerMillis.getAsLong();
				double share = (double) (compiledNow - compiled) / (usedNow - used);
				if (logger.isDebugEnabled()) {
					logger.debug(String.format(Locale.ROOT,
							"%s: %d requests answered, JIT compiling %.0f %% of the %d ms of CPU used in the last %.1f s",
							this.threadName, this.tally.completed(), share * 100, usedNow - used,
							(now - stepStarted) / 1e9));
				}
				quietSteps = (share < QUIET_SHARE) ? quietSteps + 1 : 0;
				stepTaken(quietSteps >= QUIET_STEPS);
				compiled = compiledNow;
				used = usedNow;
				stepStarted = now;
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	// Synchronized with nextIndex, so the requests sent are exactly the first ones.
	private synchronized void stepTaken(boolean jitQuiet) {
		if (jitQuiet && this.next >= this.settings.requests()) {
			this.enough = true;
		}
	}

	// The next request's index, or -1 when the planned ones are sent and no more are wanted.
	private synchronized int nextIndex() {
		return (this.next >= this.settings.requests() && this.enough) ? -1 : this.next++;
	}

	private synchronized Jit jitOutcome() {
		if (!this.awaitJit || this.tally.completed() < this.settings.requests()) {
			return Jit.NOT_AWAITED;
		}
		return this.enough ? Jit.QUIET : Jit.BUSY;
	}

	private List<Lane> startLanes() {
		List<Lane> lanes = new ArrayList<>();
		int count = Math.min(this.settings.concurrency(), this.settings.requests());
		this.lanesDone = new CountDownLatch(count);
		for (int i = 0; i < count; i++) {
			Lane lane = new Lane();
			lane.thread = new Thread(lane, this.threadName + "-" + i);
			lane.thread.setDaemon(true);
			lanes.add(lane);
			lane.thread.start();
		}
		return lanes;
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
			try {
				int index;
				while (!this.stopped && (index = nextIndex()) >= 0) {
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
			finally {
				Warmup.this.lanesDone.countDown();
			}
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

		synchronized int completed() {
			return this.completed;
		}

		synchronized Result result(int planned, Jit jit, long elapsedNanos) {
			return new Result(this.completed, this.failed, this.firstFailure, this.completed < planned, jit,
					elapsedNanos);
		}

	}

	/**
	 * How the wait for the JIT compilers ended.
	 */
	public enum Jit {

		/** Not waited for: not asked, not measurable here, or the planned requests never all went out. */
		NOT_AWAITED,

		/** The compilers went quiet. */
		QUIET,

		/** The timeout ran out while they were still busy. */
		BUSY

	}

	/**
	 * What a warm-up did.
	 *
	 * @param completed requests answered or failed, the planned ones and any sent while the
	 * JIT compilers were busy
	 * @param failed requests that failed or were answered with neither 2xx nor 3xx
	 * @param firstFailure what went wrong first, or {@code null}
	 * @param timedOut whether the warm-up timeout cut the planned requests short
	 * @param jit how the wait for the JIT compilers ended
	 * @param elapsedNanos how long it took
	 */
	public record Result(int completed, int failed, String firstFailure, boolean timedOut, Jit jit,
			long elapsedNanos) {

		/**
		 * Say what happened in one line, e.g. "3000 requests to 3 paths and 5120 more until
		 * the JIT compilers were quiet, in 41.2 s, 0 failed".
		 * @param plan the warm-up that ran
		 * @return the summary
		 */
		public String describe(PreforkSettings.Warmup plan) {
			String more = switch (this.jit) {
				case NOT_AWAITED -> "";
				case QUIET -> " and " + (this.completed - plan.requests()) + " more until the JIT compilers were quiet,";
				case BUSY -> " and " + (this.completed - plan.requests())
						+ " more, the JIT compilers still busy when the time was up,";
			};
			return (this.timedOut ? this.completed + " of " : "") + plan.requests() + " requests to "
					+ plan.paths().size() + ((plan.paths().size() == 1) ? " path" : " paths") + more + " in "
					+ String.format(Locale.ROOT, "%.1f s", this.elapsedNanos / 1e9) + ", " + this.failed + " failed"
					+ ((this.firstFailure != null) ? " (first: " + this.firstFailure + ")" : "");
		}

	}

}
