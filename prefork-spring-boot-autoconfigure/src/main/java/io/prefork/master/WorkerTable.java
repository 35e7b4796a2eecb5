package io.prefork.master;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.prefork.pool.PoolSizing;
import io.prefork.pool.WorkerChoice;

/**
 * The master's workers: each slot has its current worker (the one that gets connections)
 * and maybe a successor that is starting to replace it; retiring workers are known only by
 * pid until reaped. Touched only by the master loop thread, except {@link #livePids()},
 * which the shutdown hook reads.
 */
final class WorkerTable {

	private final WorkerProcess[] current;

	private final WorkerProcess[] successors;

	private final Map<Integer, WorkerProcess> byPid = new HashMap<>();

	private final Set<Integer> livePids = ConcurrentHashMap.newKeySet();

	private final int maxConnections;

	/** The hand-overs a worker may have unanswered at once. */
	private final int window;

	private int previousSlot = -1;

	WorkerTable(int capacity, int maxConnections, int window) {
		this.current = new WorkerProcess[capacity];
		this.successors = new WorkerProcess[capacity];
		this.maxConnections = maxConnections;
		this.window = window;
	}

	int capacity() {
		return this.current.length;
	}

	WorkerProcess inSlot(int slot) {
		return this.current[slot];
	}

	WorkerProcess successorOf(int slot) {
		return this.successors[slot];
	}

	boolean isFree(int slot) {
		return this.current[slot] == null && this.successors[slot] == null;
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

	void add(WorkerProcess worker, boolean asSuccessor) {
		(asSuccessor ? this.successors : this.current)[worker.slot] = worker;
		this.byPid.put(worker.pid, worker);
		this.livePids.add(worker.pid);
	}

	/**
	 * Make a ready successor the slot's current worker.
	 * @param successor the successor
	 * @return the worker it replaces, or {@code null}
	 */
	WorkerProcess promote(WorkerProcess successor) {
		WorkerProcess replaced = this.current[successor.slot];
		this.current[successor.slot] = successor;
		this.successors[successor.slot] = null;
		return replaced;
	}

	boolean isSuccessor(WorkerProcess worker) {
		return this.successors[worker.slot] == worker;
	}

	/**
	 * Take a worker out of its slot (it keeps running until it stops and is reaped), so the
	 * slot can get a new worker.
	 * @param worker the worker
	 */
	void vacate(WorkerProcess worker) {
		if (this.current[worker.slot] == worker) {
			this.current[worker.slot] = null;
		}
		if (this.successors[worker.slot] == worker) {
			this.successors[worker.slot] = null;
		}
	}

	/**
	 * Forget a reaped worker.
	 * @param pid its pid
	 * @return the worker, or {@code null} if the pid is not one of ours
	 */
	WorkerProcess remove(int pid) {
		WorkerProcess worker = this.byPid.remove(pid);
		if (worker != null) {
			vacate(worker);
			this.livePids.remove(pid);
		}
		return worker;
	}

	/**
	 * Count the workers that serve or will serve: current ones and successors not stopping.
	 * Successors count as starting capacity only where their slot has no current worker.
	 * @return the counts
	 */
	PoolSizing.Counts counts() {
		int starting = 0;
		int idle = 0;
		int busy = 0;
		for (int slot = 0; slot < this.current.length; slot++) {
			WorkerProcess worker = (this.current[slot] != null) ? this.current[slot] : this.successors[slot];
			if (worker == null) {
				continue;
			}
			switch (worker.state()) {
				case STARTING, WARMING -> starting++;
				case IDLE -> idle++;
				// Still in its slot while stopping: dying on its own (its channel closed). It is
				// replaced once reaped, in its own slot and after any boot-failure back-off.
				case BUSY, STOPPING -> busy++;
				default -> {
				}
			}
		}
		return new PoolSizing.Counts(starting, idle, busy);
	}

	/**
	 * Count the workers ready to serve (current ones, idle or busy, not stopping).
	 * @return the count
	 */
	int serving() {
		int serving = 0;
		for (WorkerProcess worker : this.current) {
			if (worker != null && worker.state().isServing()) {
				serving++;
			}
		}
		return serving;
	}

	/**
	 * Whether a planned replacement is under way (a successor is starting).
	 * @return {@code true} if one is
	 */
	boolean replacing() {
		for (WorkerProcess successor : this.successors) {
			if (successor != null && successor.state().isBooting()) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Whether some worker can take a connection now.
	 * @return {@code true} if one can
	 */
	boolean hasCandidate() {
		for (WorkerProcess worker : this.current) {
			if (worker != null && worker.canTakeConnection(this.maxConnections, this.window)) {
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
	 * Return the worker holding a slot's sessions, if it serves: the slot's current worker
	 * when ready and not retiring.
	 * @param slot the slot
	 * @return the worker, or {@code null} if the slot's sessions have no live holder
	 */
	WorkerProcess sessionHolder(int slot) {
		WorkerProcess worker = this.current[slot];
		return (worker != null && worker.state().isServing()) ? worker : null;
	}

	/**
	 * Whether a worker can take a connection now.
	 * @param worker the worker
	 * @return {@code true} if it can
	 */
	boolean canTake(WorkerProcess worker) {
		return worker.canTakeConnection(this.maxConnections, this.window);
	}

	/**
	 * Choose the worker for the next connection.
	 * @param excluded workers that refused it already
	 * @return the worker, or {@code null} if none can take it
	 */
	WorkerProcess choose(List<WorkerProcess> excluded) {
		List<WorkerChoice.Candidate> candidates = new ArrayList<>();
		for (WorkerProcess worker : this.current) {
			if (worker != null && !excluded.contains(worker) && worker.canTakeConnection(this.maxConnections, this.window)) {
				candidates.add(new WorkerChoice.Candidate(worker.slot, worker.load()));
			}
		}
		int slot = WorkerChoice.choose(candidates, this.previousSlot);
		return (slot >= 0) ? this.current[slot] : null;
	}

	/**
	 * Record the worker that got the last connection, so idle workers take turns.
	 * @param worker the worker
	 */
	void chosen(WorkerProcess worker) {
		this.previousSlot = worker.slot;
	}

}
