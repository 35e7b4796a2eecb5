package io.prefork.master;

import io.prefork.pool.ExitCause;
import io.prefork.pool.RecyclePolicy;
import io.prefork.pool.WorkerState;
import io.prefork.posix.ControlSocket;

/**
 * The master's view of one worker process. Touched only by the master loop thread.
 */
final class WorkerProcess {

	private static final long NO_CONNECTION = 0;

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

	private long pendingConnection = NO_CONNECTION;

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

	boolean canTakeConnection(int maxConnections) {
		return this.state.isServing() && this.channel != null && this.pendingConnection == NO_CONNECTION
				&& this.openConnections < maxConnections;
	}

	/**
	 * A connection was passed (or an accept commanded); no more until the worker replies.
	 * @param connectionId the connection's id
	 * @param replyDeadline when to give up waiting for the reply
	 */
	void handedOver(long connectionId, long replyDeadline) {
		this.pendingConnection = connectionId;
		this.deadline = replyDeadline;
	}

	boolean awaitsAcknowledgement() {
		return this.pendingConnection != NO_CONNECTION;
	}

	long pendingConnection() {
		return this.pendingConnection;
	}

	/**
	 * The worker took the connection.
	 * @param connectionId the connection's id
	 */
	void acknowledged(long connectionId) {
		if (connectionId == this.pendingConnection) {
			this.pendingConnection = NO_CONNECTION;
			this.openConnections++;
			this.connectionsHandedOver++;
			if (this.state == WorkerState.IDLE) {
				moveTo(WorkerState.BUSY);
			}
		}
	}

	/**
	 * The worker got no connection after all.
	 * @param connectionId the connection's id
	 */
	void notAccepted(long connectionId) {
		if (connectionId == this.pendingConnection) {
			this.pendingConnection = NO_CONNECTION;
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

}
