package io.prefork.master;

import io.prefork.posix.ControlSocket;
import io.prefork.pool.WorkerState;

/**
 * The master's view of one worker process. Touched only by the master loop thread.
 */
final class WorkerProcess {

	private static final long NO_CONNECTION = 0;

	final int slot;

	final int generation;

	final int pid;

	final long spawnedAt;

	private ControlSocket channel;

	private WorkerState state = WorkerState.STARTING;

	private boolean everReady;

	private boolean stopRequested;

	private int openConnections;

	private long connectionsHandedOver;

	private long pendingConnection = NO_CONNECTION;

	/** When the current wait (boot, acknowledgement, stop) runs out, in nanoTime. */
	private long deadline;

	WorkerProcess(int slot, int generation, int pid, ControlSocket channel, long spawnedAt, long bootDeadline) {
		this.slot = slot;
		this.generation = generation;
		this.pid = pid;
		this.channel = channel;
		this.spawnedAt = spawnedAt;
		this.deadline = bootDeadline;
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

	void ready() {
		moveTo(WorkerState.IDLE);
		this.everReady = true;
	}

	int openConnections() {
		return this.openConnections;
	}

	long connectionsHandedOver() {
		return this.connectionsHandedOver;
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

	void connectionClosed() {
		this.openConnections = Math.max(0, this.openConnections - 1);
		if (this.openConnections == 0 && this.state == WorkerState.BUSY) {
			moveTo(WorkerState.IDLE);
		}
	}

	/**
	 * The master asked this worker to stop (or killed it): its exit is expected.
	 * @param stopDeadline when to kill it if it is still running
	 */
	void stopRequested(long stopDeadline) {
		stopping(stopDeadline);
		this.stopRequested = true;
	}

	/**
	 * The worker takes no more connections (asked to stop, or its channel closed).
	 * @param stopDeadline when to kill it if it is still running
	 */
	void stopping(long stopDeadline) {
		moveTo(WorkerState.STOPPING);
		this.pendingConnection = NO_CONNECTION;
		this.deadline = stopDeadline;
	}

	boolean isStopRequested() {
		return this.stopRequested;
	}

	long deadline() {
		return this.deadline;
	}

	@Override
	public String toString() {
		return "worker " + this.slot + " pid " + this.pid;
	}

}
