package io.prefork.master;

import java.util.ArrayDeque;
import java.util.Iterator;

import io.prefork.pool.ExitCause;
import io.prefork.pool.RecyclePolicy;
import io.prefork.pool.WorkerState;
import io.prefork.posix.ControlSocket;

/**
 * The master's view of one worker process. Touched only by the master loop thread.
 */
final class WorkerProcess {

	final int slot;

	final int generation;

	final int pid;

	/** Its row in the scoreboard. */
	final int row;

	final long spawnedAt;

	final long spawnedAtEpochMillis = System.currentTimeMillis();

	/** Requests after which it is recycled (its own jittered limit), 0 for never. */
	final long requestLimit;

	private ControlSocket channel;

	private WorkerState state = WorkerState.STARTING;

	private boolean everReady;

	private ExitCause stopCause;

	private boolean terminated;

	private RecyclePolicy.Recycle recycle;

	private int openConnections;

	private long connectionsHandedOver;

	private long requestsServed;

	private long rssBytes;

	/** Connections handed over and not yet answered, oldest first (the worker answers in order). */
	private final ArrayDeque<Pending> pending = new ArrayDeque<>();

	private long lastHeard;

	private long idleSince;

	/** When the current wait (boot, acknowledgement, stop) runs out, in nanoTime. */
	private long deadline;

	WorkerProcess(int slot, int generation, int pid, int row, ControlSocket channel, long spawnedAt,
			long bootDeadline, long requestLimit) {
		this.slot = slot;
		this.generation = generation;
		this.pid = pid;
		this.row = row;
		this.channel = channel;
		this.spawnedAt = spawnedAt;
		this.deadline = bootDeadline;
		this.requestLimit = requestLimit;
		this.lastHeard = spawnedAt;
	}

	WorkerState state() {
		return this.state;
	}

	void moveTo(WorkerState next) {
		this.state = this.state.moveTo(next);
	}

	ControlSocket channel() {
		return this.channel;
	}

	void closeChannel() {
		if (this.channel != null) {
			this.channel.close();
			this.channel = null;
		}
	}

	boolean everReady() {
		return this.everReady;
	}

	/**
	 * The application has started and warms up: a new deadline for being ready.
	 * @param deadline when the warm-up must be over, in nanoTime
	 */
	void warming(long deadline) {
		moveTo(WorkerState.WARMING);
		this.deadline = deadline;
	}

	void ready(long now) {
		moveTo(WorkerState.IDLE);
		this.everReady = true;
		this.idleSince = now;
	}

	void heard(long now) {
		this.lastHeard = now;
	}

	long lastHeard() {
		return this.lastHeard;
	}

	void served(long requests) {
		this.requestsServed = requests;
	}

	long requestsServed() {
		return this.requestsServed;
	}

	void rss(long bytes) {
		this.rssBytes = bytes;
	}

	long rssBytes() {
		return this.rssBytes;
	}

	int openConnections() {
		return this.openConnections;
	}

	long connectionsHandedOver() {
		return this.connectionsHandedOver;
	}

	/**
	 * Return since when the worker holds no connection.
	 * @return a nanoTime, meaningful while {@link WorkerState#IDLE}
	 */
	long idleSince() {
		return this.idleSince;
	}

	/**
	 * Whether it can take one more connection now.
	 * @param maxConnections the connections it may hold at once
	 * @param window the hand-overs it may have unanswered at once
	 * @return {@code true} if it can
	 */
	boolean canTakeConnection(int maxConnections, int window) {
		return this.state.isServing() && this.channel != null && this.pending.size() < window
				&& load() < maxConnections;
	}

	/**
	 * Return how many connections it holds or is about to: open plus handed over unanswered.
	 * @return the count
	 */
	int load() {
		return this.openConnections + this.pending.size();
	}

	/**
	 * A connection was passed (or an accept commanded); it counts against the worker's window
	 * until the worker answers.
	 * @param connectionId the connection's id, larger than any handed over before
	 * @param replyDeadline when to give up waiting for the answer
	 */
	void handedOver(long connectionId, long replyDeadline) {
		if (this.pending.isEmpty()) {
			this.deadline = replyDeadline;
		}
		this.pending.addLast(new Pending(connectionId, replyDeadline));
	}

	boolean awaitsAcknowledgement() {
		return !this.pending.isEmpty();
	}

	/**
	 * Return the oldest connection it has not answered about.
	 * @return its id, or {@code 0} if none
	 */
	long pendingConnection() {
		Pending oldest = this.pending.peekFirst();
		return (oldest != null) ? oldest.connectionId : 0;
	}

	/**
	 * The worker took a connection, and with it every one handed over before it that it has
	 * not answered about: a worker acknowledges a batch with the last one it took.
	 * @param connectionId the connection's id
	 * @return how many connections this acknowledged, oldest first, as ids
	 */
	long[] acknowledged(long connectionId) {
		int taken = 0;
		for (Pending next : this.pending) {
			if (next.connectionId > connectionId) {
				break;
			}
			taken++;
		}
		long[] ids = new long[taken];
		for (int i = 0; i < taken; i++) {
			ids[i] = this.pending.removeFirst().connectionId;
		}
		this.openConnections += taken;
		this.connectionsHandedOver += taken;
		if (taken > 0 && this.state == WorkerState.IDLE) {
			moveTo(WorkerState.BUSY);
		}
		oldestSetsDeadline();
		return ids;
	}

	/**
	 * The worker got no connection after all.
	 * @param connectionId the connection's id
	 * @return {@code true} if it was one this worker had not answered about
	 */
	boolean notAccepted(long connectionId) {
		for (Iterator<Pending> it = this.pending.iterator(); it.hasNext();) {
			if (it.next().connectionId == connectionId) {
				it.remove();
				oldestSetsDeadline();
				return true;
			}
		}
		return false;
	}

	// While serving, the deadline is the oldest unanswered hand-over's; a stopping worker's
	// is its stop deadline.
	private void oldestSetsDeadline() {
		Pending oldest = this.pending.peekFirst();
		if (oldest != null && this.state.isServing()) {
			this.deadline = oldest.replyDeadline;
		}
	}

	void connectionClosed(long now) {
		this.openConnections = Math.max(0, this.openConnections - 1);
		if (this.openConnections == 0 && this.state == WorkerState.BUSY) {
			moveTo(WorkerState.IDLE);
			this.idleSince = now;
		}
	}

	/**
	 * Return why it should be replaced, if it should.
	 * @return the planned recycling, or {@code null}
	 */
	RecyclePolicy.Recycle recycle() {
		return this.recycle;
	}

	void recycle(RecyclePolicy.Recycle recycle) {
		this.recycle = recycle;
	}

	/**
	 * The master stopped (or killed) this worker: its exit is expected.
	 * @param cause why
	 * @param stopDeadline when to kill it if it is still running
	 */
	void stopRequested(ExitCause cause, long stopDeadline) {
		stopping(stopDeadline);
		if (this.stopCause == null) {
			this.stopCause = cause;
		}
	}

	/**
	 * The worker takes no more connections (asked to stop, or its channel closed). A reply
	 * it still owes about a connection is still awaited.
	 * @param stopDeadline when to kill it if it is still running
	 */
	void stopping(long stopDeadline) {
		if (this.state != WorkerState.STOPPING) {
			moveTo(WorkerState.STOPPING);
		}
		this.deadline = stopDeadline;
	}

	/**
	 * Record that SIGTERM was sent.
	 * @return {@code true} the first time
	 */
	boolean markTerminated() {
		boolean first = !this.terminated;
		this.terminated = true;
		return first;
	}

	boolean isStopRequested() {
		return this.stopCause != null;
	}

	ExitCause stopCause() {
		return this.stopCause;
	}

	long deadline() {
		return this.deadline;
	}

	@Override
	public String toString() {
		return "worker " + this.slot + " pid " + this.pid;
	}

	private record Pending(long connectionId, long replyDeadline) {
	}

}
