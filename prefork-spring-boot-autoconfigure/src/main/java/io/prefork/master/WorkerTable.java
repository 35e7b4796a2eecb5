package io.prefork.master;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.prefork.pool.WorkerChoice;

/**
 * The master's workers by slot and by pid. Touched only by the master loop thread, except
 * {@link #livePids()}, which the shutdown hook reads.
 */
final class WorkerTable {

	private final WorkerProcess[] slots;

	private final Map<Integer, WorkerProcess> byPid = new HashMap<>();

	private final Set<Integer> livePids = ConcurrentHashMap.newKeySet();

	private final int maxConnections;

	private int previousSlot = -1;

	WorkerTable(int size, int maxConnections) {
		this.slots = new WorkerProcess[size];
		this.maxConnections = maxConnections;
	}

	int size() {
		return this.slots.length;
	}

	WorkerProcess inSlot(int slot) {
		return this.slots[slot];
	}

	Collection<WorkerProcess> all() {
		return this.byPid.values();
	}

	boolean isEmpty() {
		return this.byPid.isEmpty();
	}

	Set<Integer> livePids() {
		return this.livePids;
	}

	void add(WorkerProcess worker) {
		this.slots[worker.slot] = worker;
		this.byPid.put(worker.pid, worker);
		this.livePids.add(worker.pid);
	}

	/**
	 * Forget a reaped worker.
	 * @param pid its pid
	 * @return the worker, or {@code null} if the pid is not one of ours
	 */
	WorkerProcess remove(int pid) {
		WorkerProcess worker = this.byPid.remove(pid);
		if (worker != null) {
			this.slots[worker.slot] = null;
			this.livePids.remove(pid);
		}
		return worker;
	}

	/**
	 * Whether some worker can take a connection now.
	 * @return {@code true} if one can
	 */
	boolean hasCandidate() {
		for (WorkerProcess worker : this.slots) {
			if (worker != null && worker.canTakeConnection(this.maxConnections)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Whether a worker still owes a reply about a connection.
	 * @return {@code true} if one does
	 */
	boolean anyAwaitingReply() {
		for (WorkerProcess worker : this.byPid.values()) {
			if (worker.awaitsAcknowledgement()) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Choose the worker for the next connection.
	 * @param excluded workers that refused it already
	 * @return the worker, or {@code null} if none can take it
	 */
	WorkerProcess choose(List<WorkerProcess> excluded) {
		List<WorkerChoice.Candidate> candidates = new ArrayList<>();
		for (WorkerProcess worker : this.slots) {
			if (worker != null && !excluded.contains(worker) && worker.canTakeConnection(this.maxConnections)) {
				candidates.add(new WorkerChoice.Candidate(worker.slot, worker.openConnections()));
			}
		}
		int slot = WorkerChoice.choose(candidates, this.previousSlot);
		return (slot >= 0) ? this.slots[slot] : null;
	}

	/**
	 * Record the worker that got the last connection, so idle workers take turns.
	 * @param worker the worker
	 */
	void chosen(WorkerProcess worker) {
		this.previousSlot = worker.slot;
	}

}
