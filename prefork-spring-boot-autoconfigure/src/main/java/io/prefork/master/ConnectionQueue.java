package io.prefork.master;

import java.util.ArrayDeque;

/**
 * Connections the master has accepted but no worker could take yet, oldest first. Holding
 * them here, not in the kernel backlog, is what makes their wait measurable and bounded.
 */
final class ConnectionQueue {

	private final ArrayDeque<Queued> connections = new ArrayDeque<>();

	private int longest;

	void add(int fd, long acceptedAt) {
		this.connections.addLast(new Queued(fd, acceptedAt));
		this.longest = Math.max(this.longest, this.connections.size());
	}

	/**
	 * Put a connection back at the head: it was handed to a worker that never took it.
	 * @param fd its descriptor
	 * @param acceptedAt when it was first accepted, in nanoTime
	 */
	void addFirst(int fd, long acceptedAt) {
		this.connections.addFirst(new Queued(fd, acceptedAt));
		this.longest = Math.max(this.longest, this.connections.size());
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
	 */
	record Queued(int fd, long acceptedAt) {
	}

}
