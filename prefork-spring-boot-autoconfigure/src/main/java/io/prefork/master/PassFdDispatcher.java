package io.prefork.master;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.prefork.PreforkSettings;
import io.prefork.pool.AdmissionDecision;
import io.prefork.posix.FileDescriptors;
import io.prefork.posix.ListeningSocket;
import io.prefork.posix.Poller;
import io.prefork.posix.PosixException;
import io.prefork.protocol.Message;
import io.prefork.protocol.MessageCodec;
import io.prefork.scoreboard.ConnectionTable;
import io.prefork.scoreboard.PoolCounter;
import io.prefork.scoreboard.PoolCounters;

/**
 * The master accepts every connection and passes its fd to the least-loaded worker; what no
 * worker can take waits in the master's queue, then meets the overload policy. With sticky
 * sessions, a new connection first waits for its request head, and one whose session a live
 * worker holds goes to that worker only, waiting in the queue while that worker is full. The
 * master keeps its copy of every connection until its worker closes it, and answers for the
 * connections of a worker that dies.
 */
final class PassFdDispatcher extends Dispatcher {

	private static final Log logger = LogFactory.getLog(PassFdDispatcher.class);

	private final ConnectionQueue queue = new ConnectionQueue();

	private final HeldConnections held = new HeldConnections();

	private final LostConnections lost;

	/** Each worker row's record of its connections. */
	private final IntFunction<ConnectionTable> connectionTables;

	/** Connections waiting for their request head, or {@code null} without sticky sessions. */
	private final SessionPeeker peeker;

	private int[] peekIndices = new int[0];

	private final CarriedOver carriedOver = new CarriedOver();

	private int[] carriedIndices = new int[0];

	PassFdDispatcher(PreforkSettings settings, WorkerTable workers, WorkerFailures failures,
			ListeningSocket listener, PoolCounters counters, IntFunction<ConnectionTable> connectionTables) {
		super(settings, workers, failures, listener, counters);
		this.connectionTables = connectionTables;
		this.lost = new LostConnections(this.rejector);
		this.peeker = settings.sessions().sticky() ? new SessionPeeker(settings, counters) : null;
		if (this.peeker != null) {
			deferAcceptUntilData(listener, settings.sessions().peekTimeout());
		}
	}

	// A connection accepted with its request head already there is routed in the same turn;
	// without this, most would need a second poll for the head that follows the handshake.
	private static void deferAcceptUntilData(ListeningSocket listener, Duration peekTimeout) {
		try {
			listener.deferAccept((int) Math.max(1, (peekTimeout.toMillis() + 999) / 1000));
		}
		catch (PosixException ex) {
			logger.warn("Cannot defer accepts until data arrives (" + ex.getMessage()
					+ "); sticky sessions wait for request heads in the master instead");
		}
	}

	private AdmissionDecision admission() {
		PreforkSettings.Overload overload = this.settings.overload();
		return AdmissionDecision.decide(this.workers.hasCandidate(), this.queue.size(), overload.queueSize(),
				overload.policy());
	}

	@Override
	boolean wantsConnections() {
		return admission() != AdmissionDecision.STOP_ACCEPTING;
	}

	@Override
	void dispatch(long now, boolean listenerReady) {
		noteCapacity();
		handOverQueued(now);
		for (int accepted = 0; listenerReady && listener() != null && accepted < MAX_ACCEPTS_PER_TURN; accepted++) {
			AdmissionDecision decision = admission();
			if (decision == AdmissionDecision.STOP_ACCEPTING) {
				noteSaturation(now, this.queue.size());
				return;
			}
			int connection = accept(now);
			if (connection < 0) {
				return;
			}
			if (decision != AdmissionDecision.ACCEPT) {
				noteSaturation(now, this.queue.size());
				turnAway(connection, RejectReason.OVERLOAD, now);
			}
			else {
				admit(connection, now);
			}
		}
	}

	// Through the session peek while it has room (it routes at once a connection whose head
	// is there), else straight to a worker.
	private void admit(int connection, long now) {
		if (this.peeker != null && this.peeker.size() < SessionPeeker.MAX_WAITING) {
			SessionPeeker.Routed routed = this.peeker.offer(connection, now);
			if (routed != null) {
				route(new ConnectionQueue.Queued(routed.fd(), routed.acceptedAt(), routed.slot()), now);
			}
		}
		else {
			route(new ConnectionQueue.Queued(connection, now, -1), now);
		}
	}

	private void route(ConnectionQueue.Queued connection, long now) {
		WorkerProcess worker = (this.queue.size() == 0) ? target(connection) : null;
		if (worker != null) {
			handOver(connection, worker, now);
			return;
		}
		this.queue.add(connection);
		if (this.queue.size() > 1) {
			// Those ahead may wait for their own busy session holders; this one need not.
			handOverQueued(now);
		}
	}

	// Oldest first; one waiting for its own busy session holder does not hold up the rest.
	private void handOverQueued(long now) {
		Iterator<ConnectionQueue.Queued> queued = this.queue.iterator();
		while (queued.hasNext() && this.workers.hasCandidate()) {
			ConnectionQueue.Queued connection = queued.next();
			WorkerProcess worker = target(connection);
			if (worker != null) {
				queued.remove();
				handOver(connection, worker, now);
			}
		}
	}

	/**
	 * Return the worker a connection goes to now: the live holder of its session if it has
	 * one (else none, and it waits), otherwise the least-loaded worker.
	 */
	private WorkerProcess target(ConnectionQueue.Queued connection) {
		WorkerProcess holder = (connection.slot() >= 0) ? this.workers.sessionHolder(connection.slot()) : null;
		if (holder != null) {
			return this.workers.canTake(holder) ? holder : null;
		}
		return this.workers.choose(List.of());
	}

	@Override
	int[] register(Poller poller) {
		int[] lingering = super.register(poller);
		this.carriedIndices = this.carriedOver.register(poller);
		if (this.peeker != null) {
			this.peekIndices = this.peeker.register(poller);
		}
		return lingering;
	}

	@Override
	void service(Poller poller, int[] indices, long now) {
		super.service(poller, indices, now);
		for (int connection : this.carriedOver.service(poller, this.carriedIndices, now)) {
			carryOver(connection, now);
		}
		if (this.peeker != null) {
			for (SessionPeeker.Routed routed : this.peeker.service(poller, this.peekIndices, now)) {
				route(new ConnectionQueue.Queued(routed.fd(), routed.acceptedAt(), routed.slot()), now);
			}
		}
	}

	@Override
	void publish() {
		this.counters.set(PoolCounter.QUEUE_LENGTH, this.queue.size());
		this.counters.max(PoolCounter.MAX_QUEUE_LENGTH, this.queue.longest());
	}

	private void handOver(ConnectionQueue.Queued connection, WorkerProcess first, long now) {
		long connectionId = nextConnectionId();
		byte[] frame = MessageCodec.encode(new Message.Handoff(connectionId));
		List<WorkerProcess> refused = new ArrayList<>();
		WorkerProcess worker = first;
		while (worker != null) {
			if (send(worker, frame, connection.fd(), now)) {
				worker.handedOver(connectionId, now + this.settings.timeouts().handoff().toNanos());
				this.workers.chosen(worker);
				this.held.hold(worker, connectionId, connection);
				this.counters.add(PoolCounter.QUEUE_WAITS, 1);
				this.counters.add(PoolCounter.QUEUE_WAIT_MICROS, (now - connection.acceptedAt()) / 1000);
				if (connection.slot() == worker.slot) {
					this.counters.add(PoolCounter.SESSION_ROUTED, 1);
				}
				return;
			}
			// The session holder (or the chosen worker) is gone: any other may take it.
			refused.add(worker);
			worker = this.workers.choose(refused);
		}
		logger.warn("No worker could take connection " + connectionId + "; turning it away");
		turnAway(connection.fd(), RejectReason.HANDOFF_FAILED, now);
	}

	@Override
	void replied(WorkerProcess worker, long connectionId, boolean taken) {
		if (!taken) {
			this.held.release(worker, connectionId);
		}
	}

	@Override
	void closed(WorkerProcess worker, long connectionId, boolean leftOpen, long now) {
		ConnectionQueue.Queued connection = this.held.take(worker, connectionId);
		if (connection == null) {
			return;
		}
		if (!leftOpen) {
			FileDescriptors.close(connection.fd());
			return;
		}
		// The retiring worker closed its copy with SO_LINGER at zero, so as not to end the
		// connection; from here on, a close ends it gracefully again.
		FileDescriptors.lingerOff(connection.fd());
		if (listener() == null) {
			FileDescriptors.close(connection.fd());
		}
		else if (this.carriedOver.take(connection.fd(), now)) {
			carryOver(connection.fd(), now);
		}
	}

	// The client's next request, unread, goes to another worker as a new connection would.
	private void carryOver(int connection, long now) {
		this.counters.add(PoolCounter.CARRIED_OVER, 1);
		admit(connection, now);
	}

	@Override
	void lost(WorkerProcess worker, long now) {
		Map<Long, ConnectionQueue.Queued> connections = this.held.takeAll(worker);
		if (connections.isEmpty()) {
			return;
		}
		List<ConnectionQueue.Queued> untouched = this.lost.settle(worker, connections,
				this.connectionTables.apply(worker.row).states(), now);
		for (ConnectionQueue.Queued connection : untouched) {
			if (listener() == null) {
				turnAway(connection.fd(), RejectReason.SHUTDOWN, now);
			}
			else {
				this.queue.addFirst(connection);
			}
		}
	}

	@Override
	void expire(long now) {
		long maxWait = this.settings.overload().maxQueueWait().toNanos();
		ConnectionQueue.Queued oldest;
		while ((oldest = this.queue.peek()) != null && now - oldest.acceptedAt() >= maxWait) {
			turnAway(this.queue.poll().fd(), RejectReason.QUEUE_TIMEOUT, now);
		}
	}

	@Override
	long nextDeadline(long next) {
		ConnectionQueue.Queued oldest = this.queue.peek();
		long queueDeadline = (oldest != null)
				? oldest.acceptedAt() + this.settings.overload().maxQueueWait().toNanos() : next;
		long deadline = this.carriedOver.nextDeadline(super.nextDeadline(earlier(next, queueDeadline)));
		return (this.peeker != null) ? this.peeker.nextDeadline(deadline) : deadline;
	}

	@Override
	void close() {
		super.close();
		this.held.closeAll();
		this.carriedOver.closeAll();
	}

	@Override
	int waiting() {
		return this.queue.size() + ((this.peeker != null) ? this.peeker.size() : 0);
	}

	@Override
	void stop(long now) {
		super.stop(now);
		ConnectionQueue.Queued queued;
		while ((queued = this.queue.poll()) != null) {
			turnAway(queued.fd(), RejectReason.SHUTDOWN, now);
		}
		if (this.peeker != null) {
			this.peeker.drain().forEach((fd) -> turnAway(fd, RejectReason.SHUTDOWN, now));
		}
	}

}
