package io.prefork.master;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.prefork.PreforkException;
import io.prefork.PreforkSettings;
import io.prefork.pool.WorkerChoice;
import io.prefork.pool.WorkerState;
import io.prefork.posix.FileDescriptors;
import io.prefork.posix.ListeningSocket;
import io.prefork.posix.Poller;
import io.prefork.posix.PosixException;
import io.prefork.protocol.Connector;
import io.prefork.protocol.Message;
import io.prefork.protocol.MessageCodec;

/**
 * The separate management port ({@code management.server.port}): the master listens on it
 * too and passes every connection at once to a serving worker's management server, in every
 * dispatch mode. These connections never wait in the master's queue and meet neither the
 * overload policy nor {@code server.prefork.worker.max-connections}: a worker's management
 * server has its own Tomcat connector and threads, so probes answer while the application's
 * port is saturated. The worker's replies about them do not count towards its load. Runs on
 * the master loop thread only.
 */
final class ManagementDispatch {

	private static final Log logger = LogFactory.getLog(ManagementDispatch.class);

	/** Accepts per turn, so worker messages are never starved by a connection flood. */
	private static final int MAX_ACCEPTS_PER_TURN = 16;

	/** How long accepting pauses after EMFILE and similar resource errors. */
	private static final long ACCEPT_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

	private final WorkerTable workers;

	private final WorkerFailures failures;

	private final long handoffTimeout;

	/**
	 * The master's copy of each connection handed over but not yet acknowledged, so one whose
	 * worker is gone goes to another worker.
	 */
	private final List<Pending> unacknowledged = new ArrayList<>();

	/**
	 * Workers that refused a management connection: their management server has stopped
	 * (it stops before the worker's JVM exits), so they get no more.
	 */
	private final List<WorkerProcess> refusing = new ArrayList<>();

	private ListeningSocket listener;

	/** The bound port, {@code 0} for none. */
	private final int port;

	/** Where it listens, e.g. {@code 127.0.0.1:8081}. */
	private final String where;

	private long nextConnectionId = 1;

	private int previousSlot = -1;

	private long acceptResumesAt;

	private boolean acceptPaused;

	private ManagementDispatch(ListeningSocket listener, String where, WorkerTable workers, WorkerFailures failures,
			long handoffTimeout) {
		this.listener = listener;
		this.port = (listener != null) ? listener.port() : 0;
		this.where = where;
		this.workers = workers;
		this.failures = failures;
		this.handoffTimeout = handoffTimeout;
	}

	/**
	 * Listen on the management port, if the settings have one.
	 * @param settings the settings
	 * @param workers the worker table
	 * @param failures what to do with a worker whose channel fails
	 * @return the dispatch, which does nothing without a management port
	 * @throws PreforkException if the port cannot be bound
	 */
	static ManagementDispatch open(PreforkSettings settings, WorkerTable workers, WorkerFailures failures) {
		return open(settings, workers, failures, null);
	}

	/**
	 * Serve the management port on a socket handed in (systemd socket activation), or listen
	 * on it, if the settings have one.
	 * @param settings the settings
	 * @param workers the worker table
	 * @param failures what to do with a worker whose channel fails
	 * @param handedIn the listening socket handed in, or {@code null} to bind the port
	 * @return the dispatch, which does nothing without a management port
	 * @throws PreforkException if the port cannot be bound
	 */
	static ManagementDispatch open(PreforkSettings settings, WorkerTable workers, WorkerFailures failures,
			ListeningSocket handedIn) {
		PreforkSettings.Management management = settings.management();
		ListeningSocket listener = null;
		String where = null;
		if (management != null && handedIn != null) {
			listener = handedIn;
			where = handedIn.localAddress();
		}
		else if (management != null) {
			try {
				listener = ListeningSocket.open(management.address(), management.port(),
						settings.overload().backlog());
				where = host(management) + ":" + listener.port();
			}
			catch (PosixException ex) {
				throw new PreforkException("The prefork master failed to listen on the management port "
						+ host(management) + ":" + management.port() + ": " + ex.getMessage(),
						"Identify and stop the process that is listening on that port, or configure another one "
								+ "with 'management.server.port' (and 'management.server.address').",
						ex);
			}
		}
		return new ManagementDispatch(listener, where, workers, failures, settings.timeouts().handoff().toNanos());
	}

	private static String host(PreforkSettings.Management management) {
		return (management.address() != null) ? management.address().getHostAddress() : "*";
	}

	/**
	 * Return the bound management port.
	 * @return the port (the real one when 0 was asked for), or {@code 0} for none
	 */
	int port() {
		return this.port;
	}

	/**
	 * Return the listening socket, for the new master of an upgrade.
	 * @return its fd, or {@code -1} without a separate management port
	 */
	int listenerFd() {
		return (this.listener != null) ? this.listener.fd() : -1;
	}

	/**
	 * Describe where it listens, for the master's start-up line.
	 * @return e.g. {@code , management port 127.0.0.1:8081}, or empty without one
	 */
	String describe() {
		return (this.where != null) ? ", management port " + this.where : "";
	}

	/**
	 * Add the listening socket to this turn's poll.
	 * @param poller the poller
	 * @param now the current nanoTime
	 * @return its index, or {@code -1} if not polled
	 */
	int register(Poller poller, long now) {
		if (this.acceptPaused && now - this.acceptResumesAt >= 0) {
			this.acceptPaused = false;
		}
		return (this.listener != null && !this.acceptPaused) ? poller.add(this.listener.fd()) : -1;
	}

	/**
	 * Return the earlier of {@code next} and the next deadline here.
	 * @param next the loop's next deadline so far
	 * @return a nanoTime
	 */
	long nextDeadline(long next) {
		for (Pending pending : this.unacknowledged) {
			if (!pending.worker.isStopRequested()) {
				next = Dispatcher.earlier(next, pending.deadline);
			}
		}
		return this.acceptPaused ? Dispatcher.earlier(next, this.acceptResumesAt) : next;
	}

	/**
	 * Handle a worker's reply if it is about a management connection.
	 * @param worker the worker
	 * @param message its message
	 * @param now the current nanoTime
	 * @return {@code true} if the message was about a management connection
	 */
	boolean handle(WorkerProcess worker, Message message, long now) {
		if (message instanceof Message.Accepted accepted && accepted.connector() == Connector.MANAGEMENT) {
			release(worker, accepted.connectionId());
			return true;
		}
		if (message instanceof Message.NotAccepted notAccepted && notAccepted.connector() == Connector.MANAGEMENT) {
			refused(worker, notAccepted.connectionId(), now);
			return true;
		}
		return message instanceof Message.Closed closed && closed.connector() == Connector.MANAGEMENT;
	}

	// The worker has its own reference now: the master's copy goes.
	private void release(WorkerProcess worker, long connectionId) {
		Pending pending = take(worker, connectionId);
		if (pending != null) {
			FileDescriptors.close(pending.fd);
		}
	}

	private Pending take(WorkerProcess worker, long connectionId) {
		for (int i = 0; i < this.unacknowledged.size(); i++) {
			Pending pending = this.unacknowledged.get(i);
			if (pending.worker == worker && pending.connectionId == connectionId) {
				return this.unacknowledged.remove(i);
			}
		}
		return null;
	}

	// Its management server has stopped, the connection is unread: another worker answers it.
	private void refused(WorkerProcess worker, long connectionId, long now) {
		if (!this.refusing.contains(worker)) {
			this.refusing.add(worker);
			if (worker.state().isServing()) {
				logger.warn(worker + " has no management server running; management connections go to other workers");
			}
			else {
				logger.debug(worker + " no longer takes management connections (its management server has stopped); "
						+ "they go to other workers");
			}
		}
		Pending pending = take(worker, connectionId);
		if (pending != null) {
			handOver(pending.fd, now);
		}
	}

	/**
	 * Hand over what the port has, re-hand connections whose worker went away before it
	 * replied, and kill a worker that did not reply in time
	 * ({@code server.prefork.timeouts.handoff}).
	 * @param now the current nanoTime
	 * @param listenerReady whether the listening socket polled readable
	 */
	void dispatch(long now, boolean listenerReady) {
		this.refusing.removeIf((worker) -> worker.channel() == null);
		for (Pending pending : List.copyOf(this.unacknowledged)) {
			if (pending.worker.channel() == null) {
				this.unacknowledged.remove(pending);
				handOver(pending.fd, now);
			}
			else if (now - pending.deadline >= 0 && !pending.worker.isStopRequested()) {
				this.failures.kill(pending.worker, now, "no reply about management connection "
						+ pending.connectionId + " within "
						+ TimeUnit.NANOSECONDS.toSeconds(this.handoffTimeout) + " s (server.prefork.timeouts.handoff)");
			}
		}
		for (int accepted = 0; listenerReady && this.listener != null && accepted < MAX_ACCEPTS_PER_TURN; accepted++) {
			int connection = accept(now);
			if (connection < 0) {
				return;
			}
			handOver(connection, now);
		}
	}

	private int accept(long now) {
		try {
			return this.listener.accept();
		}
		catch (PosixException ex) {
			logger.warn("Cannot accept management connections (" + ex.getMessage() + "); pausing for "
					+ TimeUnit.NANOSECONDS.toMillis(ACCEPT_PAUSE_NANOS) + " ms");
			this.acceptPaused = true;
			this.acceptResumesAt = now + ACCEPT_PAUSE_NANOS;
			return -1;
		}
	}

	private void handOver(int connection, long now) {
		long connectionId = this.nextConnectionId++;
		byte[] frame = MessageCodec.encode(new Message.Handoff(connectionId, Connector.MANAGEMENT));
		List<WorkerProcess> refused = new ArrayList<>(this.refusing);
		WorkerProcess worker;
		while ((worker = choose(refused)) != null) {
			if (send(worker, frame, connection, now)) {
				this.previousSlot = worker.slot;
				this.unacknowledged.add(new Pending(worker, connectionId, connection, now + this.handoffTimeout));
				return;
			}
			refused.add(worker);
		}
		// As a port nothing listens on yet: the probe fails at once rather than hanging.
		logger.debug("No worker's management server serves; closing management connection " + connectionId);
		FileDescriptors.close(connection);
	}

	// Any serving worker, however busy its application's connector: the one with the fewest
	// management connections awaiting its reply, in turn among equals. Only when none serves
	// (the pool drains) a stopping one: its probes must not make a serving pool look unready.
	private WorkerProcess choose(List<WorkerProcess> refused) {
		WorkerProcess serving = choose(refused, WorkerState::isServing);
		return (serving != null) ? serving : choose(refused, (state) -> state == WorkerState.STOPPING);
	}

	private WorkerProcess choose(List<WorkerProcess> refused, Predicate<WorkerState> wanted) {
		List<WorkerProcess> eligible = new ArrayList<>();
		List<WorkerChoice.Candidate> candidates = new ArrayList<>();
		for (WorkerProcess worker : this.workers.all()) {
			if (wanted.test(worker.state()) && worker.channel() != null && !refused.contains(worker)) {
				eligible.add(worker);
				candidates.add(new WorkerChoice.Candidate(worker.slot, awaitingReply(worker)));
			}
		}
		int slot = WorkerChoice.choose(candidates, this.previousSlot);
		return eligible.stream().filter((worker) -> worker.slot == slot).findFirst().orElse(null);
	}

	private int awaitingReply(WorkerProcess worker) {
		int count = 0;
		for (Pending pending : this.unacknowledged) {
			if (pending.worker == worker) {
				count++;
			}
		}
		return count;
	}

	private boolean send(WorkerProcess worker, byte[] frame, int connection, long now) {
		try {
			return worker.channel().trySendWithFd(frame, frame.length, connection);
		}
		catch (PosixException ex) {
			this.failures.handOverFailed(worker, now, ex, "a management connection");
			return false;
		}
	}

	/**
	 * Stop listening, but see the connections handed to workers through: an upgrade's new
	 * master answers probes from now on.
	 */
	void stopAccepting() {
		if (this.listener != null) {
			this.listener.close();
			this.listener = null;
		}
	}

	/**
	 * Stop listening (the master exits) and drop the connections not yet acknowledged.
	 */
	void stop() {
		stopAccepting();
		this.unacknowledged.forEach((pending) -> FileDescriptors.close(pending.fd));
		this.unacknowledged.clear();
	}

	private record Pending(WorkerProcess worker, long connectionId, int fd, long deadline) {
	}

}
