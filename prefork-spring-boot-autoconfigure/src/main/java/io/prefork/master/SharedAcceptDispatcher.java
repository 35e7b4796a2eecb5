package io.prefork.master;

import io.prefork.PreforkSettings;
import io.prefork.posix.ListeningSocket;
import io.prefork.scoreboard.PoolCounters;

/**
 * Workers inherit the listening socket and accept on their own; the master keeps the socket
 * only to give it to replacement workers, and never touches a connection. The kernel wakes
 * every waiting worker per connection (the thundering herd) and decides who serves it, so
 * the master has no queue and no overload policy.
 */
final class SharedAcceptDispatcher extends Dispatcher {

	SharedAcceptDispatcher(PreforkSettings settings, WorkerTable workers, WorkerFailures failures,
			ListeningSocket listener, PoolCounters counters) {
		super(settings, workers, failures, listener, counters);
	}

	@Override
	boolean wantsConnections() {
		return false;
	}

	@Override
	void dispatch(long now, boolean listenerReady) {
		// The workers accept.
	}

}
