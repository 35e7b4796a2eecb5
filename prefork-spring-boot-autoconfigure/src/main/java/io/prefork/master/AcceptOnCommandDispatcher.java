package io.prefork.master;

import java.util.List;

import io.prefork.OverloadPolicy;
import io.prefork.PreforkSettings;
import io.prefork.posix.ListeningSocket;
import io.prefork.scoreboard.PoolCounters;
import io.prefork.protocol.Message;
import io.prefork.protocol.MessageCodec;

/**
 * Workers inherit the listening socket; when it is readable the master commands one idle
 * worker to accept, and waits for its reply (got one, or lost the race) before polling the
 * socket again: one connection, one woken worker. There is no master queue: with no worker
 * free, backpressure leaves connections in the kernel backlog, and {@code close} and
 * {@code reject} are carried out by the master itself.
 */
final class AcceptOnCommandDispatcher extends Dispatcher {

	AcceptOnCommandDispatcher(PreforkSettings settings, WorkerTable workers, WorkerFailures failures,
			ListeningSocket listener, PoolCounters counters) {
		super(settings, workers, failures, listener, counters);
	}

	@Override
	boolean wantsConnections() {
		return !this.workers.anyAwaitingReply()
				&& (this.workers.hasCandidate() || this.settings.overload().policy() != OverloadPolicy.BACKPRESSURE);
	}

	@Override
	void dispatch(long now, boolean listenerReady) {
		noteCapacity();
		if (!listenerReady || !wantsConnections()) {
			return;
		}
		WorkerProcess worker = this.workers.choose(List.of());
		if (worker != null) {
			command(worker, now);
			return;
		}
		for (int accepted = 0; accepted < MAX_ACCEPTS_PER_TURN; accepted++) {
			int connection = accept(now);
			if (connection < 0) {
				return;
			}
			noteSaturation(now, 0);
			turnAway(connection, RejectReason.OVERLOAD, now);
		}
	}

	private void command(WorkerProcess worker, long now) {
		long connectionId = nextConnectionId();
		if (send(worker, MessageCodec.encode(new Message.AcceptCommand(connectionId)), -1, now)) {
			worker.handedOver(connectionId, now + this.settings.timeouts().handoff().toNanos());
			this.workers.chosen(worker);
		}
	}

}
