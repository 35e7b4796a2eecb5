package io.prefork.master;

import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * Connections the master has accepted but no worker could take yet, oldest first. Holding
 * them here, not in the kernel backlog, is what makes their wait measurable and bounded.
 */
final class ConnectionQueue {

	private final ArrayDeque<Queued> connections = new ArrayDeque<>();

	private int longest;

	void add(Queued connection) {
		this.connections.addLast(connection);
		this.longest = Math.max(this.longest, this.connections.size());
	}

	/**
	 * Put a connection back at the head: it was handed to a worker that never took it.
	 * @param connection the connection
	 */
	void addFirst(Queued connection) {
		this.connections.addFirst(connection);
		this.longest = Math.max(this.longest, this.connections.size());
	}

	/**
	 * Iterate oldest first; connections may be removed on the way.
	 * @return an iterator
	 */
	Iterator<Queued> iterator() {
		return this.connections.iterator();
	}

	Queued peek() {
		return this.connections.peekFirst();
	}

	Queued poll() {
		return this.connections.pollFirst();
	}

	int size() {
		return this.connections.size();
	}

	/**
	 * Return the longest the queue has been.
	 * @return the maximum queue length seen
	 */
	int longest() {
		return this.longest;
	}

	/**
	 * A waiting connection.
	 *
	 * @param fd its descriptor, owned by the master until handed over or rejected
	 * @param acceptedAt when it was accepted, in nanoTime
	 * @param slot the slot whose worker holds its session, or {@code -1} for any worker
	 */
	record Queued(int fd, long acceptedAt, int slot) {
	}

}
