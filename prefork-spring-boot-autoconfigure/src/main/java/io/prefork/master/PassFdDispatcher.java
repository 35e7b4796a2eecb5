package io.prefork.master;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.prefork.PreforkSettings;
import io.prefork.pool.AdmissionDecision;
import io.prefork.posix.FileDescriptors;
import io.prefork.posix.ListeningSocket;
import io.prefork.scoreboard.PoolCounters;
import io.prefork.protocol.Message;
import io.prefork.protocol.MessageCodec;
import io.prefork.scoreboard.PoolCounter;

/**
 * The master accepts every connection and passes its fd to the least-loaded worker; what no
 * worker can take waits in the master's queue, then meets the overload policy.
 */
final class PassFdDispatcher extends Dispatcher {

	private static final Log logger = LogFactory.getLog(PassFdDispatcher.class);

	private final ConnectionQueue queue = new ConnectionQueue();

	/**
	 * The master's copy of each connection handed over but not yet acknowledged, so one the
	 * worker never took can go to another worker.
	 */
	private final Map<WorkerProcess, ConnectionQueue.Queued> unacknowledged = new HashMap<>();

	PassFdDispatcher(PreforkSettings settings, WorkerTable workers, WorkerFailures failures,
			ListeningSocket listener, PoolCounters counters) {
		super(settings, workers, failures, listener, counters);
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
		while (this.queue.size() > 0 && this.workers.hasCandidate()) {
			ConnectionQueue.Queued queued = this.queue.poll();
			handOver(queued.fd(), queued.acceptedAt(), now);
		}
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
			else if (this.queue.size() == 0 && this.workers.hasCandidate()) {
				handOver(connection, now, now);
			}
			else {
				this.queue.add(connection, now);
			}
		}
	}

	@Override
	void publish() {
		this.counters.set(PoolCounter.QUEUE_LENGTH, this.queue.size());
		this.counters.max(PoolCounter.MAX_QUEUE_LENGTH, this.queue.longest());
	}

	private void handOver(int connection, long acceptedAt, long now) {
		long connectionId = nextConnectionId();
		byte[] frame = MessageCodec.encode(new Message.Handoff(connectionId));
		List<WorkerProcess> refused = new ArrayList<>();
		while (true) {
			WorkerProcess worker = this.workers.choose(refused);
			if (worker == null) {
				logger.warn("No worker could take connection " + connectionId + "; turning it away");
				turnAway(connection, RejectReason.HANDOFF_FAILED, now);
				return;
			}
			if (send(worker, frame, connection, now)) {
				worker.handedOver(connectionId, now + this.settings.timeouts().handoff().toNanos());
				this.workers.chosen(worker);
				this.unacknowledged.put(worker, new ConnectionQueue.Queued(connection, acceptedAt));
				this.counters.add(PoolCounter.QUEUE_WAITS, 1);
				this.counters.add(PoolCounter.QUEUE_WAIT_MICROS, (now - acceptedAt) / 1000);
				return;
			}
			refused.add(worker);
		}
	}

	@Override
	void replied(WorkerProcess worker) {
		ConnectionQueue.Queued connection = this.unacknowledged.remove(worker);
		if (connection != null) {
			// The worker has its own reference now (or did not want it): the master's copy goes.
			FileDescriptors.close(connection.fd());
		}
	}

	@Override
	void lost(WorkerProcess worker, long now) {
		ConnectionQueue.Queued connection = this.unacknowledged.remove(worker);
		if (connection != null) {
			logger.info(worker + " never took the connection handed to it; it goes to another worker");
			this.queue.addFirst(connection.fd(), connection.acceptedAt());
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
		return super.nextDeadline(earlier(next, queueDeadline));
	}

	@Override
	void stop(long now) {
		super.stop(now);
		this.unacknowledged.values().forEach((connection) -> FileDescriptors.close(connection.fd()));
		this.unacknowledged.clear();
		ConnectionQueue.Queued queued;
		while ((queued = this.queue.poll()) != null) {
			turnAway(queued.fd(), RejectReason.SHUTDOWN, now);
		}
	}

}
