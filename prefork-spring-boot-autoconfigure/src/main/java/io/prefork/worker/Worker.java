package io.prefork.worker;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.prefork.PreforkException;
import io.prefork.PreforkSettings;
import io.prefork.pool.ExitCause;
import io.prefork.posix.ControlSocket;
import io.prefork.posix.FileDescriptors;
import io.prefork.posix.PosixException;
import io.prefork.posix.ProcessSpawner;
import io.prefork.protocol.Connector;
import io.prefork.protocol.Message;
import io.prefork.protocol.MessageCodec;
import io.prefork.protocol.ProtocolException;
import io.prefork.protocol.WorkerIdentity;
import io.prefork.scoreboard.ConnectionTable;
import io.prefork.scoreboard.Scoreboard;
import io.prefork.scoreboard.WorkerSection;

/**
 * This JVM's side of being a worker: the control channel to the master (fd 3), the queue of
 * handed-over connections Tomcat takes from, and the reports back (ready, accepted,
 * closed). A JVM is at most one worker, so there is one instance, reachable from the
 * Tomcat protocol class that Tomcat creates by name.
 */
public final class Worker {

	private static final Log logger = LogFactory.getLog(Worker.class);


	/** The header that marks a worker's own warm-up requests. */
	public static final String WARMUP_HEADER = "X-Prefork-Warmup";

	/**
	 * The most hand-overs taken in one wake-up of the receive loop before they are
	 * acknowledged and served: the master's window is smaller, so this only bounds a burst.
	 */
	private static final int MAX_BATCH = 32;

	/** How often a worker tells the master it is alive (and how much it has served). */
	private static final long HEARTBEAT_INTERVAL_MILLIS = 1000;

	private static volatile Worker current;

	private final WorkerIdentity identity;

	private final ControlSocket channel;

	private final ConnectionSource source;

	private final MasterGone masterGone;

	private final Map<Connector, ConnectionSink> sinks = new ConcurrentHashMap<>();

	/**
	 * Whether this worker retires while the pool goes on: the connections its Tomcat closes
	 * between requests are left open for the master to hand to another worker.
	 */
	private volatile boolean handingOn;

	private volatile Consumer<ExitCause> retiring = (cause) -> {
	};

	/** Each connection given to a sink, with the report its close makes and its tracker. */
	private final Map<SocketChannel, Handed> handed = new ConcurrentHashMap<>();

	/** Connections taken in this wake-up of the receive loop, to acknowledge at once, then serve. */
	private final List<Taken> batch = new ArrayList<>();

	private final RequestWatch requests = new RequestWatch(this::publishRequests);

	private volatile PreforkSettings.Warmup warmup = PreforkSettings.Warmup.NONE;

	private volatile boolean warmingUp;

	private final Scoreboard scoreboard;

	private final WorkerSection section;

	private final PoolCalls poolCalls;

	private Worker(WorkerIdentity identity, ControlSocket channel, ConnectionSource source, Scoreboard scoreboard,
			MasterGone masterGone) {
		this.identity = identity;
		this.channel = channel;
		this.source = source;
		this.scoreboard = scoreboard;
		this.section = scoreboard.worker(identity.row());
		this.masterGone = masterGone;
		this.poolCalls = new PoolCalls(Path.of(identity.scoreboard()).getParent(), identity.slot(), this::report);
	}

	/**
	 * Become a worker: check the JVM can adopt passed sockets and start listening to the
	 * master. Idempotent.
	 * @param identity the identity the master gave this process
	 * @param masterGone what to do when the master disappears
	 * @return the worker
	 * @throws PreforkException if this JVM cannot serve handed-over connections
	 */
	public static synchronized Worker start(WorkerIdentity identity, MasterGone masterGone) {
		if (current == null) {
			Worker worker = new Worker(identity, ControlSocket.adopt(ProcessSpawner.CHILD_CONTROL_FD),
					ConnectionSource.forMode(identity.dispatch(), identity.managementPort() != 0), openScoreboard(identity),
					masterGone);
			worker.daemon("control", worker::receiveLoop);
			worker.daemon("heartbeat", worker::heartbeatLoop);
			current = worker;
		}
		return current;
	}

	private static Scoreboard openScoreboard(WorkerIdentity identity) {
		try {
			return Scoreboard.open(Path.of(identity.scoreboard()));
		}
		catch (IOException ex) {
			throw new PreforkException("This worker cannot open the master's scoreboard " + identity.scoreboard()
					+ ": " + ex.getMessage(), "Start workers from the prefork master only.", ex);
		}
	}

	/**
	 * Whether this process is a started worker.
	 * @return {@code true} after {@link #start}
	 */
	public static boolean isStarted() {
		return current != null;
	}

	/**
	 * Return this process's worker.
	 * @return the worker
	 * @throws IllegalStateException if this process is not a started worker
	 */
	public static Worker current() {
		Worker worker = current;
		if (worker == null) {
			throw new IllegalStateException("This process is not a prefork worker");
		}
		return worker;
	}

	/**
	 * Return the identity.
	 * @return the identity the master gave this process
	 */
	public WorkerIdentity identity() {
		return this.identity;
	}

	/**
	 * Return the scoreboard shared with the master and the other workers.
	 * @return the scoreboard
	 */
	public Scoreboard scoreboard() {
		return this.scoreboard;
	}

	/**
	 * Return this worker's side of pool calls: operations run on every worker.
	 * @return the pool calls
	 */
	public PoolCalls poolCalls() {
		return this.poolCalls;
	}

	/**
	 * Return the requests this worker is running.
	 * @return the request watch
	 */
	public RequestWatch requests() {
		return this.requests;
	}

	/**
	 * Say what this worker requests from itself before it is ready.
	 * @param warmup the warm-up, or {@link PreforkSettings.Warmup#NONE}
	 */
	public void warmUpWith(PreforkSettings.Warmup warmup) {
		this.warmup = warmup;
	}

	/**
	 * Warm up, if configured, then tell the master the application is ready for
	 * connections. A warm-up that fails or runs out of time is logged, never fatal.
	 */
	public void ready() {
		warmUp();
		report(new Message.Ready(ProcessHandle.current().pid()));
	}

	/**
	 * Whether a request is one of this worker's own warm-up requests, which are neither
	 * counted nor held to the request timeout (the warm-up timeout bounds them).
	 * @param warmupHeader the request's {@value #WARMUP_HEADER} header, or {@code null}
	 * @return {@code true} for a warm-up request
	 */
	public boolean isWarmupRequest(String warmupHeader) {
		// The master hands a warming worker no connection, so while warming, every request
		// carrying the header is the worker's own.
		return this.warmingUp && warmupHeader != null;
	}

	private void warmUp() {
		PreforkSettings.Warmup plan = this.warmup;
		if (!plan.enabled()) {
			return;
		}
		ConnectionSink sink = this.sinks.get(Connector.SERVER);
		if (sink == null) {
			logger.warn("worker " + this.identity.slot() + " warm-up skipped: its Tomcat accepts on its own "
					+ "(dispatch " + this.identity.dispatch().value() + "), so there is no way in for it");
			return;
		}
		if (!sink.speaksPlainHttp()) {
			logger.warn("worker " + this.identity.slot() + " warm-up skipped: its server expects TLS, and the "
					+ "warm-up speaks plain HTTP");
			return;
		}
		report(new Message.Warming(plan.timeout().toMillis()));
		this.warmingUp = true;
		try {
			log(plan, Warmup.throughSink(plan, sink, "prefork-worker-" + this.identity.slot() + "-warmup"));
		}
		catch (IOException | RuntimeException ex) {
			logger.warn("worker " + this.identity.slot() + " warm-up failed (" + ex + "); ready anyway", ex);
		}
		finally {
			this.warmingUp = false;
		}
	}

	private void log(PreforkSettings.Warmup plan, Warmup.Result result) {
		String summary = "worker " + this.identity.slot() + " warm-up: " + result.describe(plan);
		if (result.timedOut()) {
			logger.warn(summary + "; cut short by server.prefork.worker.warmup.timeout (" + plan.timeout().toMillis()
					+ " ms), ready anyway");
		}
		else if (result.failed() > 0) {
			logger.warn(summary);
		}
		else {
			logger.info(summary);
		}
	}

	/**
	 * Ask the master to shut the whole server down gracefully (SIGTERM semantics).
	 * @param exitCode the exit code the master should end with
	 */
	public void requestServerShutdown(int exitCode) {
		logger.info("The application asks the prefork server to shut down (exit code " + exitCode + ")");
		report(new Message.ShutdownRequest(exitCode));
	}

	/**
	 * Ask the master for a pool change, as the matching signal would.
	 * @param command one of the {@link Message.PoolCommand} constants
	 */
	public void requestPoolChange(long command) {
		report(new Message.PoolCommand(command));
	}

	/**
	 * Enforce the hard request timeout: a request running longer is answered with a 504 if
	 * its response has not started, its stuck thread is logged, and the master is told to
	 * stop this worker.
	 * @param timeout the timeout
	 */
	public void enforceRequestTimeout(Duration timeout) {
		long tickMillis = Math.max(10, Math.min(250, timeout.toMillis() / 10));
		daemon("request-watchdog", () -> {
			while (true) {
				sleep(tickMillis);
				for (RequestWatch.Request request : this.requests.expired(timeout)) {
					requestTimedOut(request);
				}
			}
		});
	}

	private void requestTimedOut(RequestWatch.Request request) {
		long elapsedMillis = (System.nanoTime() - request.startedAt()) / 1_000_000;
		boolean answered = request.answer().send();
		Throwable stuck = new Throwable("Stack of thread '" + request.thread().getName() + "' running "
				+ request.description());
		stuck.setStackTrace(request.thread().getStackTrace());
		logger.warn(request.description() + " ran " + elapsedMillis + " ms, longer than the request timeout; "
				+ (answered ? "answered 504" : "its response had started") + "; this worker will be stopped", stuck);
		report(new Message.RequestTimedOut(elapsedMillis));
	}

	// Under the section's lock, so the counts of two request threads are published in order.
	private void publishRequests() {
		synchronized (this.section) {
			RequestWatch.Request oldest = this.requests.oldest();
			this.section.requests(this.requests.served(), this.requests.running(),
					(oldest != null) ? oldest.description() : null,
					(oldest != null) ? oldest.startedAtEpochMillis() : 0);
		}
	}

	private void heartbeatLoop() {
		while (true) {
			synchronized (this.section) {
				this.section.heartbeat(System.currentTimeMillis(), this.requests.served());
			}
			report(new Message.Heartbeat(this.requests.served()));
			sleep(HEARTBEAT_INTERVAL_MILLIS);
		}
	}

	private void daemon(String role, Runnable body) {
		Thread thread = new Thread(body, "prefork-worker-" + this.identity.slot() + "-" + role);
		thread.setDaemon(true);
		thread.start();
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted", ex);
		}
	}

	/**
	 * Say what to run when the master retires this worker, before it exits.
	 * @param listener called with the reason, on a thread of its own
	 */
	public void onRetiring(Consumer<ExitCause> listener) {
		this.retiring = listener;
	}

	/**
	 * Give this worker's connections for one of its servers to that server (its Tomcat
	 * endpoint, once it runs).
	 * @param connector which server's connections
	 * @param sink where they go from now on
	 */
	public void serveWith(Connector connector, ConnectionSink sink) {
		this.sinks.put(connector, sink);
	}

	/**
	 * Report that a connection given to the {@link ConnectionSink} is closed. Calls for other
	 * channels, and repeated calls, are ignored.
	 * @param connection the connection
	 */
	public void connectionClosed(SocketChannel connection) {
		Handed closed = this.handed.remove(connection);
		if (closed != null) {
			// Free the entry first: the master may hand a new connection over as soon as it
			// hears of this close.
			closed.tracker().release();
			report(new Message.Closed(closed.connectionId(), closed.connector(), leavesOpen(closed.tracker())));
		}
	}

	/**
	 * Whether closing a connection leaves it open for the master to hand on, not ended:
	 * while this worker retires and the pool goes on, between requests.
	 * @param tracker the connection's tracker
	 * @return {@code true} if its close must not send FIN
	 */
	public boolean leavesOpen(ConnectionTracker tracker) {
		return tracker.leftOpen(this.handingOn);
	}

	/**
	 * Return what records, for the master, what crosses a connection given to a sink.
	 * @param connection the connection
	 * @return its tracker, or {@link ConnectionTracker#NONE} for connections the master
	 * holds no copy of
	 */
	public ConnectionTracker tracker(SocketChannel connection) {
		Handed handed = this.handed.get(connection);
		return (handed != null) ? handed.tracker() : ConnectionTracker.NONE;
	}

	private void report(Message message) {
		try {
			this.channel.send(MessageCodec.encode(message));
		}
		catch (PosixException ex) {
			// The receive loop sees the same failure as EOF and stops the worker.
			logger.debug("Cannot report " + message + " to the master: " + ex.getMessage());
		}
	}

	// Every message already pending is taken in the same wake-up; the connections among them
	// are then acknowledged with one message and served.
	private void receiveLoop() {
		try {
			ControlSocket.Received received = this.channel.receive();
			while (received != null) {
				handle(received);
				received = (this.batch.size() < MAX_BATCH) ? this.channel.receiveIfPending() : ControlSocket.NOTHING;
				if (received == ControlSocket.NOTHING) {
					serveBatch();
					received = this.channel.receive();
				}
			}
			serveBatch();
			logger.warn("Prefork master is gone (control channel closed); worker " + this.identity.slot()
					+ " stopping");
			// A master that exits cleanly deletes it; one that was killed cannot.
			this.scoreboard.removeFiles();
		}
		catch (PosixException | ProtocolException ex) {
			logger.error("Control channel to the master failed (" + ex.getMessage() + "); worker stopping");
		}
		this.masterGone.stop();
	}

	private void handle(ControlSocket.Received received) {
		Message message = MessageCodec.decode(received.bytes(), received.bytes().length);
		if (message instanceof Message.Handoff handoff && received.fd() >= 0) {
			take(handoff.connectionId(), handoff.connector(), () -> this.source.adopt(received.fd(), handoff.connector()),
					received.fd(), handoff.connector() == Connector.SERVER);
		}
		else if (message instanceof Message.AcceptCommand command && received.fd() < 0) {
			take(command.connectionId(), Connector.SERVER, this.source::accept, -1, false);
		}
		else if (message instanceof Message.Retire retire && received.fd() < 0) {
			retire(retire.reason());
		}
		else if (message instanceof Message.PoolCall call && received.fd() < 0) {
			this.poolCalls.received(call);
		}
		else if (message instanceof Message.PoolCallDone done && received.fd() < 0) {
			this.poolCalls.done(done);
		}
		else {
			FileDescriptors.close(received.fd());
			throw new ProtocolException("unexpected message from the master: " + message);
		}
	}

	// The application hears why first; then the JVM exits as on SIGTERM (shutdown hooks close
	// the application gracefully). This thread goes on reporting closes meanwhile, and the
	// master kills the process if it outlives its stop deadline.
	private void retire(long reason) {
		ExitCause[] causes = ExitCause.values();
		if (reason < 0 || reason >= causes.length) {
			throw new ProtocolException("unknown retirement reason " + reason);
		}
		ExitCause cause = causes[(int) reason];
		logger.info("Worker " + this.identity.slot() + " retiring (" + cause.tag() + ")");
		this.handingOn = cause != ExitCause.SHUTDOWN;
		Thread exit = new Thread(() -> {
			try {
				this.retiring.accept(cause);
			}
			catch (RuntimeException ex) {
				logger.error("A listener to this worker's retirement failed", ex);
			}
			System.exit(0);
		}, "prefork-worker-" + this.identity.slot() + "-retire");
		exit.start();
	}

	// Gives the connection to Tomcat on this thread, acknowledging it first (so the master
	// never hears of its close before its acceptance), or tells the master at once there was
	// none: a lost accept race or a client that already reset. A connection passed for the
	// application's server is one the master keeps a copy of, so it is tracked (the master can
	// answer for it should this worker die), and it is batched: the master counts one Accepted
	// as the answer for every earlier hand-over it has not heard about (refusals come first).
	// A management connection is answered only once Tomcat has taken it (serveManagement).
	private void take(long connectionId, Connector connector, Connecting connecting, int fdToCloseOnFailure,
			boolean passedForServer) {
		SocketChannel connection = null;
		ConnectionSink target = this.sinks.get(connector);
		try {
			connection = (target != null) ? connecting.connection() : null;
		}
		catch (IOException ex) {
			logger.debug("No usable connection " + connectionId + ": " + ex.getMessage());
		}
		if (connection == null) {
			FileDescriptors.close(fdToCloseOnFailure);
			report(new Message.NotAccepted(connectionId, connector));
			return;
		}
		this.handed.put(connection,
				new Handed(connectionId, connector, passedForServer ? track(connectionId) : ConnectionTracker.NONE));
		Taken taken = new Taken(connectionId, connector, connection, target);
		if (passedForServer) {
			this.batch.add(taken);
			return;
		}
		if (connector == Connector.MANAGEMENT) {
			serveManagement(taken);
			return;
		}
		report(new Message.Accepted(connectionId, connector));
		serve(taken);
	}

	// The master keeps its copy of a management connection until it hears back, so one the
	// management server no longer takes (it stops before this worker exits) is refused, not
	// dropped: the master gives it to another worker. Unread and never registered with a
	// selector, its close here sends nothing. The master ignores management closes, so their
	// order against this reply does not matter.
	private void serveManagement(Taken taken) {
		if (taken.sink().serve(taken.connection())) {
			report(new Message.Accepted(taken.connectionId(), taken.connector()));
		}
		else {
			this.handed.remove(taken.connection());
			report(new Message.NotAccepted(taken.connectionId(), taken.connector()));
		}
	}

	private void serveBatch() {
		if (this.batch.isEmpty()) {
			return;
		}
		Taken last = this.batch.get(this.batch.size() - 1);
		report(new Message.Accepted(last.connectionId(), last.connector()));
		this.batch.forEach(this::serve);
		this.batch.clear();
	}

	private void serve(Taken taken) {
		if (!taken.sink().serve(taken.connection())) {
			connectionClosed(taken.connection());
		}
	}

	private ConnectionTracker track(long connectionId) {
		ConnectionTable table = this.scoreboard.connections(this.identity.row());
		int entry = table.claim(connectionId);
		return (entry >= 0) ? new ConnectionTracker(table, entry) : ConnectionTracker.NONE;
	}

	private record Handed(long connectionId, Connector connector, ConnectionTracker tracker) {
	}

	private record Taken(long connectionId, Connector connector, SocketChannel connection, ConnectionSink sink) {
	}

	/**
	 * Where a worker's connections are served.
	 */
	@FunctionalInterface
	public interface ConnectionSink {

		/**
		 * Serve a connection.
		 * @param connection the connection, now owned by the sink
		 * @return {@code false} if it could not be taken (then it is closed)
		 */
		boolean serve(SocketChannel connection);

		/**
		 * Whether its connections speak plain HTTP (no TLS), so the warm-up can talk to it.
		 * @return {@code true} unless the server expects TLS
		 */
		default boolean speaksPlainHttp() {
			return true;
		}

	}

	@FunctionalInterface
	private interface Connecting {

		SocketChannel connection() throws IOException;

	}

	/**
	 * What a worker does when its master disappears.
	 */
	@FunctionalInterface
	public interface MasterGone {

		/**
		 * Stop this worker process.
		 */
		void stop();

		/**
		 * Exit the JVM (running shutdown hooks, so the application closes), and halt it if
		 * that takes longer than {@code grace}: an orphaned worker must not linger.
		 * @param grace how long the shutdown hooks may run
		 * @return the action
		 */
		static MasterGone exitWithin(Duration grace) {
			return () -> {
				Thread halt = new Thread(() -> {
					try {
						Thread.sleep(grace.toMillis());
					}
					catch (InterruptedException ex) {
						Thread.currentThread().interrupt();
					}
					Runtime.getRuntime().halt(1);
				}, "prefork-worker-halt");
				halt.setDaemon(true);
				halt.start();
				System.exit(0);
			};
		}

	}

}
