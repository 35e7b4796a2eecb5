package io.prefork.master;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.prefork.PreforkSettings;
import io.prefork.posix.FileDescriptors;
import io.prefork.posix.Poller;
import io.prefork.posix.PosixException;
import io.prefork.routing.SessionCookieScanner;
import io.prefork.scoreboard.PoolCounter;
import io.prefork.scoreboard.PoolCounters;

/**
 * New connections whose first request head the master reads before handing them over, to
 * find the worker holding their session (sticky sessions). It only peeks ({@code MSG_PEEK}):
 * the worker's Tomcat reads every byte itself. A connection waits here only until its head
 * is complete, it is plainly not HTTP/1.x, it closes, or the peek timeout passes; while
 * part of a head has arrived, the socket's receive low-water mark keeps poll from reporting
 * the same bytes again.
 */
final class SessionPeeker {

	private static final Log logger = LogFactory.getLog(SessionPeeker.class);

	/** Tomcat's default limit on a request head: a longer one is not looked at further. */
	static final int MAX_HEAD = 8192;

	/**
	 * The most connections waiting for their heads; more (a flood of silent clients) go to
	 * any worker unlooked-at, so they can neither exhaust the master nor hold others back.
	 */
	static final int MAX_WAITING = 256;

	private final SessionCookieScanner scanner;

	private final long timeoutNanos;

	private final PoolCounters counters;

	private final byte[] head = new byte[MAX_HEAD];

	/** Oldest first, so also by deadline. */
	private final List<Peeking> waiting = new ArrayList<>();

	SessionPeeker(PreforkSettings settings, PoolCounters counters) {
		PreforkSettings.Sessions sessions = settings.sessions();
		this.scanner = new SessionCookieScanner(sessions.cookieName(), sessions.pathParameter(),
				settings.pool().maxWorkers());
		this.timeoutNanos = sessions.peekTimeout().toNanos();
		this.counters = counters;
	}

	/**
	 * Look at a connection just accepted.
	 * @param fd the connection
	 * @param now the current nanoTime (its accept time)
	 * @return where it goes, or {@code null} if its head has not arrived yet (it waits here)
	 */
	Routed offer(int fd, long now) {
		Peeking connection = new Peeking(fd, now);
		Routed routed = peek(connection, now, false);
		if (routed == null) {
			this.waiting.add(connection);
		}
		return routed;
	}

	/**
	 * Register the waiting connections for readability.
	 * @param poller the poller
	 * @return their indices, in the order {@link #service} expects
	 */
	int[] register(Poller poller) {
		int[] indices = new int[this.waiting.size()];
		for (int i = 0; i < indices.length; i++) {
			indices[i] = poller.add(this.waiting.get(i).fd);
		}
		return indices;
	}

	/**
	 * Look again at the connections that polled readable, and at the ones out of time.
	 * @param poller the poller
	 * @param indices what {@link #register} returned this turn
	 * @param now the current nanoTime
	 * @return the connections decided now, oldest first
	 */
	List<Routed> service(Poller poller, int[] indices, long now) {
		List<Routed> decided = new ArrayList<>();
		Iterator<Peeking> connections = this.waiting.iterator();
		for (int i = 0; connections.hasNext(); i++) {
			Peeking connection = connections.next();
			boolean timedOut = now - connection.acceptedAt >= this.timeoutNanos;
			boolean readable = i < indices.length && poller.isReady(indices[i]);
			if (readable || timedOut) {
				Routed routed = peek(connection, now, timedOut);
				if (routed != null) {
					connections.remove();
					decided.add(routed);
				}
			}
		}
		return decided;
	}

	/**
	 * Return the earlier of {@code next} and the oldest waiting connection's deadline.
	 * @param next the deadline so far
	 * @return a nanoTime
	 */
	long nextDeadline(long next) {
		return this.waiting.isEmpty() ? next
				: Dispatcher.earlier(next, this.waiting.get(0).acceptedAt + this.timeoutNanos);
	}

	int size() {
		return this.waiting.size();
	}

	/**
	 * Give up on every waiting connection (the server stops).
	 * @return their descriptors
	 */
	List<Integer> drain() {
		List<Integer> fds = new ArrayList<>();
		this.waiting.forEach((connection) -> fds.add(connection.fd));
		this.waiting.clear();
		return fds;
	}

	private Routed peek(Peeking connection, long now, boolean timedOut) {
		int pending = FileDescriptors.peekNow(connection.fd, this.head);
		int slot;
		if (pending == 0) {
			slot = SessionCookieScanner.NO_ROUTE; // closed or reset: a worker sees that too
		}
		else if (pending < 0) {
			slot = timedOut ? SessionCookieScanner.NO_ROUTE : SessionCookieScanner.NEED_MORE;
		}
		else {
			// Readable without new bytes means the client half-closed: nothing more will come.
			boolean last = timedOut || pending == this.head.length || pending == connection.seen;
			slot = this.scanner.scan(this.head, pending, last);
		}
		if (slot == SessionCookieScanner.NEED_MORE) {
			waitForMore(connection, Math.max(pending, 0));
			return null;
		}
		if (connection.seen > 0) {
			lowWatermark(connection.fd, 1);
		}
		if (timedOut) {
			this.counters.add(PoolCounter.PEEK_TIMEOUTS, 1);
		}
		else {
			this.counters.add(PoolCounter.PEEKS, 1);
			this.counters.add(PoolCounter.PEEK_WAIT_MICROS, (now - connection.acceptedAt) / 1000);
		}
		return new Routed(connection.fd, connection.acceptedAt, slot);
	}

	private void waitForMore(Peeking connection, int pending) {
		if (pending > 0 && pending != connection.seen) {
			lowWatermark(connection.fd, pending + 1);
		}
		connection.seen = pending;
	}

	private static void lowWatermark(int fd, int bytes) {
		try {
			FileDescriptors.receiveLowWatermark(fd, bytes);
		}
		catch (PosixException ex) {
			// Only costs extra wake-ups until the head is complete or the peek times out.
			logger.debug("Cannot set SO_RCVLOWAT: " + ex.getMessage());
		}
	}

	/**
	 * A connection decided.
	 *
	 * @param fd its descriptor
	 * @param acceptedAt when it was accepted, in nanoTime
	 * @param slot the slot whose worker holds its session, or {@code -1} for any worker
	 */
	record Routed(int fd, long acceptedAt, int slot) {
	}

	private static final class Peeking {

		final int fd;

		final long acceptedAt;

		/** Bytes pending at the last peek. */
		int seen;

		Peeking(int fd, long acceptedAt) {
			this.fd = fd;
			this.acceptedAt = acceptedAt;
		}

	}

}
