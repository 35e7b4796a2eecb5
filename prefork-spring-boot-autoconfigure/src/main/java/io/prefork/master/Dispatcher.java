package io.prefork.master;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.prefork.DispatchMode;
import io.prefork.OverloadPolicy;
import io.prefork.PreforkSettings;
import io.prefork.posix.ListeningSocket;
import io.prefork.posix.Poller;
import io.prefork.posix.PosixException;
import io.prefork.scoreboard.ConnectionTable;
import io.prefork.scoreboard.PoolCounter;
import io.prefork.scoreboard.PoolCounters;

/**
 * Gets connections from the listening socket to the workers, one way per dispatch mode.
 * Runs on the master loop thread only.
 */
abstract class Dispatcher {

	private static final Log logger = LogFactory.getLog(Dispatcher.class);

	/** Accepts per turn, so worker messages are never starved by a connection flood. */
	static final int MAX_ACCEPTS_PER_TURN = 64;

	/**
	 * The connections a worker may have been passed and not yet acknowledged (pass-fd). With
	 * one, each worker got one connection per round trip through its control thread, which
	 * on a busy box waits for a core; with a window, the master goes on dealing while the
	 * worker catches up and acknowledges what it found with one message. Small, so the
	 * least-loaded choice still sees every worker's load.
	 */
	static final int PASS_FD_WINDOW = 8;

	/** How long accepting pauses after EMFILE and similar resource errors. */
	private static final long ACCEPT_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

	/** At most one "server reached its capacity" line per this interval. */
	private static final long SATURATION_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

	protected final PreforkSettings settings;

	protected final WorkerTable workers;

	protected final WorkerFailures failures;

	protected final Rejector rejector;

	protected final PoolCounters counters;

	private boolean saturated;

	private ListeningSocket listener;

	private long nextConnectionId = 1;

	private boolean acceptPaused;

	private long acceptResumesAt;

	private long lastSaturationLog;

	Dispatcher(PreforkSettings settings, WorkerTable workers, WorkerFailures failures, ListeningSocket listener,
			PoolCounters counters) {
		this.settings = settings;
		this.workers = workers;
		this.failures = failures;
		this.listener = listener;
		this.counters = counters;
		this.rejector = new Rejector(settings.overload().retryAfter(), counters);
	}

	static Dispatcher create(PreforkSettings settings, WorkerTable workers, WorkerFailures failures,
			ListeningSocket listener, PoolCounters counters, IntFunction<ConnectionTable> connectionTables) {
		return switch (settings.dispatch()) {
			case PASS_FD -> new PassFdDispatcher(settings, workers, failures, listener, counters, connectionTables);
			case ACCEPT_ON_COMMAND -> new AcceptOnCommandDispatcher(settings, workers, failures, listener, counters);
			case SHARED_ACCEPT -> new SharedAcceptDispatcher(settings, workers, failures, listener, counters);
		};
	}

	/**
	 * Return how many hand-overs a worker may have unanswered at once.
	 * @param mode the dispatch mode
	 * @return {@link #PASS_FD_WINDOW} for pass-fd; one for accept-on-command, whose workers
	 * each answer one accept command
	 */
	static int handoffWindow(DispatchMode mode) {
		return (mode == DispatchMode.PASS_FD) ? PASS_FD_WINDOW : 1;
	}

	/**
	 * Whether the loop should poll the listening socket this turn. Not polling it is how
	 * backpressure works: the kernel backlog queues and the master sleeps.
	 * @param now the current nanoTime
	 * @return {@code true} to poll it
	 */
	final boolean wantsListener(long now) {
		if (this.acceptPaused && now - this.acceptResumesAt >= 0) {
			this.acceptPaused = false;
		}
		return this.listener != null && !this.acceptPaused && wantsConnections();
	}

	abstract boolean wantsConnections();

	/**
	 * Move connections towards workers.
	 * @param now the current nanoTime
	 * @param listenerReady whether the listening socket polled readable
	 */
	abstract void dispatch(long now, boolean listenerReady);

	/**
	 * A worker replied about the connection it was given (took it, or did not).
	 * @param worker the worker
	 * @param connectionId the connection's id
	 * @param taken whether it took it
	 */
	void replied(WorkerProcess worker, long connectionId, boolean taken) {
	}

	/**
	 * A worker reports a connection it took closed.
	 * @param worker the worker
	 * @param connectionId the connection's id
	 * @param leftOpen whether it left the connection open, between requests, for the
	 * master to hand on
	 * @param now the current nanoTime
	 */
	void closed(WorkerProcess worker, long connectionId, boolean leftOpen, long now) {
	}

	/**
	 * A worker is gone (its channel closed, or it was reaped): it will never reply or
	 * report again, and what it held must be settled.
	 * @param worker the worker
	 * @param now the current nanoTime
	 */
	void lost(WorkerProcess worker, long now) {
	}

	/**
	 * Write this dispatcher's gauges (queue length) to the scoreboard.
	 */
	void publish() {
	}

	/**
	 * Turn away connections that waited too long.
	 * @param now the current nanoTime
	 */
	void expire(long now) {
	}

	/**
	 * Return the earlier of {@code next} and this dispatcher's own next deadline.
	 * @param next the loop's next deadline so far
	 * @return a nanoTime
	 */
	long nextDeadline(long next) {
		long deadline = earlier(next, this.rejector.nextDeadline(next));
		return this.acceptPaused ? earlier(deadline, this.acceptResumesAt) : deadline;
	}

	static long earlier(long a, long b) {
		return (b - a < 0) ? b : a;
	}

	static long later(long a, long b) {
		return (b - a > 0) ? b : a;
	}

	/**
	 * Stop taking connections: close the listening socket, turn away what waits.
	 * @param now the current nanoTime
	 */
	void stop(long now) {
		stopAccepting();
	}

	/**
	 * Stop accepting (close the listening socket) but go on handing what this master holds
	 * to workers: during an upgrade the new master accepts from the same socket.
	 */
	final void stopAccepting() {
		if (this.listener != null) {
			this.listener.close();
			this.listener = null;
		}
	}

	/**
	 * Return how many accepted connections wait in the master for a worker.
	 * @return the connections queued or waiting for their request head
	 */
	int waiting() {
		return 0;
	}

	/**
	 * Release everything on exit.
	 */
	void close() {
		stop(System.nanoTime());
		this.rejector.closeAll();
	}

	/**
	 * Return the fd workers inherit as their stdin, or {@code -1}.
	 * @return the listening socket's fd for modes where workers accept, else {@code -1}
	 */
	int inheritedListenerFd() {
		return (this.settings.dispatch().workersInheritListener() && this.listener != null) ? this.listener.fd()
				: -1;
	}

	/**
	 * Register the connections this dispatcher waits on, besides the listener.
	 * @param poller the poller
	 * @return the indices {@link #service} gets back
	 */
	int[] register(Poller poller) {
		return this.rejector.register(poller);
	}

	/**
	 * Serve the connections registered this turn.
	 * @param poller the poller, after waiting
	 * @param indices what {@link #register} returned
	 * @param now the current nanoTime
	 */
	void service(Poller poller, int[] indices, long now) {
		this.rejector.service(poller, indices, now);
	}

	protected ListeningSocket listener() {
		return this.listener;
	}

	int listenerFd() {
		return this.listener.fd();
	}

	protected long nextConnectionId() {
		return this.nextConnectionId++;
	}

	/**
	 * Accept one connection.
	 * @param now the current nanoTime
	 * @return its fd, or {@code -1} if none is pending or accepting failed (then paused)
	 */
	protected int accept(long now) {
		try {
			int connection = this.listener.accept();
			if (connection >= 0) {
				this.counters.add(PoolCounter.ACCEPTED, 1);
			}
			return connection;
		}
		catch (PosixException ex) {
			logger.warn("Cannot accept connections (" + ex.getMessage() + "); pausing accepts for "
					+ TimeUnit.NANOSECONDS.toMillis(ACCEPT_PAUSE_NANOS) + " ms");
			this.acceptPaused = true;
			this.acceptResumesAt = now + ACCEPT_PAUSE_NANOS;
			return -1;
		}
	}

	/**
	 * Turn a connection away the policy's way: closed with {@code close}, else a 503.
	 * @param connection the fd
	 * @param reason why
	 * @param now the current nanoTime
	 */
	protected void turnAway(int connection, RejectReason reason, long now) {
		if (this.settings.overload().policy() == OverloadPolicy.CLOSE) {
			this.rejector.close(connection, reason);
		}
		else {
			this.rejector.reject(connection, reason, now);
		}
	}

	/**
	 * Send a frame (and maybe a connection) to a worker without blocking.
	 * @param worker the worker
	 * @param frame the frame
	 * @param connection the fd to pass, or {@code -1}
	 * @param now the current nanoTime
	 * @return {@code true} if sent
	 */
	protected boolean send(WorkerProcess worker, byte[] frame, int connection, long now) {
		try {
			return (connection >= 0) ? worker.channel().trySendWithFd(frame, frame.length, connection)
					: worker.channel().trySend(frame);
		}
		catch (PosixException ex) {
			this.failures.handOverFailed(worker, now, ex, "a connection");
			return false;
		}
	}

	/**
	 * Log, at most every 10 s, that the pool is saturated (like Apache's "server reached
	 * MaxRequestWorkers setting").
	 * @param now the current nanoTime
	 * @param queued connections waiting in the master
	 */
	protected void noteSaturation(long now, int queued) {
		if (!this.saturated) {
			this.saturated = true;
			this.counters.add(PoolCounter.SATURATED, 1);
		}
		if (this.lastSaturationLog != 0 && now - this.lastSaturationLog < SATURATION_LOG_INTERVAL_NANOS) {
			return;
		}
		this.lastSaturationLog = now;
		PreforkSettings.Overload overload = this.settings.overload();
		int full = 0;
		int awaitingReply = 0;
		for (WorkerProcess worker : this.workers.all()) {
			if (worker.awaitsAcknowledgement()) {
				awaitingReply++;
			}
			else if (worker.state().isServing()) {
				full++;
			}
		}
		logger.warn("Server reached its capacity: no worker can take a connection now (" + full + " hold "
				+ this.settings.worker().maxConnections() + " connections (server.prefork.worker.max-connections), "
				+ awaitingReply + " have not yet acknowledged the last ones handed to them) and " + queued
				+ " connections are queued (server.prefork.overload.queue-size=" + overload.queueSize() + "); policy "
				+ overload.policy().name().toLowerCase(Locale.ROOT) + "; turned away so far: " + describeRejections()
				+ ". Consider more workers or a higher worker.max-connections.");
	}

	/**
	 * Note that a worker can take a connection again: the next saturation is a new episode.
	 */
	protected void noteCapacity() {
		if (this.saturated && this.workers.hasCandidate()) {
			this.saturated = false;
		}
	}

	/**
	 * Describe the rejections so far.
	 * @return e.g. {@code overload=3, queue-timeout=1}, or {@code none}
	 */
	String describeRejections() {
		return this.rejector.describe();
	}

}
