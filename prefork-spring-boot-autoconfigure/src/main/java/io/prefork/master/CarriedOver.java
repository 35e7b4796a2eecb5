package io.prefork.master;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.prefork.posix.FileDescriptors;
import io.prefork.posix.Poller;

/**
 * Connections a retiring worker closed between requests: right after an answer (its Tomcat
 * does so without saying so in the answer) or before reading anything (handed over just
 * before it retired). A client that sends its next request at that moment would read a
 * reset; the master's copy keeps the connection open. A connection with a request waiting,
 * or one arriving within {@link #WATCH_NANOS}, goes to another worker; one the client
 * closes, or that stays idle, is closed as the worker meant.
 */
final class CarriedOver {

	/**
	 * How long an idle connection is watched for the client's next request. A client that
	 * reads an answer to its end of stream waits this much longer for it.
	 */
	static final long WATCH_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

	/** Connections watched at most; beyond, they are closed at once. */
	private static final int MAX_WATCHED = 512;

	private final List<Watched> watched = new ArrayList<>();

	/**
	 * Take a connection the retiring worker closed between requests.
	 * @param fd the master's copy, owned by this from now on unless returned to the caller
	 * @param now the current nanoTime
	 * @return {@code true} if a request is waiting on it, for another worker now (the
	 * caller owns it again)
	 */
	boolean take(int fd, long now) {
		if (FileDescriptors.pendingBytes(fd) > 0) {
			return true;
		}
		if (this.watched.size() >= MAX_WATCHED) {
			FileDescriptors.close(fd);
		}
		else {
			this.watched.add(new Watched(fd, now + WATCH_NANOS));
		}
		return false;
	}

	/**
	 * Add the watched connections to this turn's poll.
	 * @param poller the poller
	 * @return their indices, in the order {@link #service(Poller, int[], long)} expects
	 */
	int[] register(Poller poller) {
		int[] indices = new int[this.watched.size()];
		for (int i = 0; i < indices.length; i++) {
			indices[i] = poller.add(this.watched.get(i).fd());
		}
		return indices;
	}

	/**
	 * Return the connections whose client sent a request; close those it closed and those
	 * whose watch is over.
	 * @param poller the poller after its wait
	 * @param indices what {@link #register(Poller)} returned
	 * @param now the current nanoTime
	 * @return descriptors for another worker, owned by the caller
	 */
	List<Integer> service(Poller poller, int[] indices, long now) {
		List<Integer> requested = new ArrayList<>();
		Iterator<Watched> iterator = this.watched.iterator();
		for (int i = 0; iterator.hasNext(); i++) {
			Watched connection = iterator.next();
			boolean ready = i < indices.length && poller.isReady(indices[i]);
			if (ready && FileDescriptors.pendingBytes(connection.fd()) > 0) {
				requested.add(connection.fd());
				iterator.remove();
			}
			else if (ready || now - connection.deadline() >= 0) {
				// Readable with nothing to read: the client closed it.
				FileDescriptors.close(connection.fd());
				iterator.remove();
			}
		}
		return requested;
	}

	/**
	 * Return when the next watch ends.
	 * @param otherwise the value to return when nothing is watched
	 * @return a nanoTime
	 */
	long nextDeadline(long otherwise) {
		return this.watched.isEmpty() ? otherwise : Dispatcher.earlier(otherwise, this.watched.get(0).deadline());
	}

	/**
	 * Close every watched connection.
	 */
	void closeAll() {
		this.watched.forEach((connection) -> FileDescriptors.close(connection.fd()));
		this.watched.clear();
	}

	private record Watched(int fd, long deadline) {
	}

}
