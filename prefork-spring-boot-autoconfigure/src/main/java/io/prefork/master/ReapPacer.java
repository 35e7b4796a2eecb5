package io.prefork.master;

import java.util.concurrent.TimeUnit;

/**
 * When the master loop looks for exited children. A look ({@code wait4}) every turn cost one
 * system call per connection under load, and a handler for {@code SIGCHLD} cannot be had
 * (HotSpot accepts one through {@code sun.misc.Signal} but never calls it), so the loop
 * looks at most every {@link #INTERVAL_NANOS}, and a turn that skipped a look has the loop
 * wake when the next one is due: an exit is noticed at most that much later than a look on
 * every turn would have noticed it. Touched only by the master loop thread.
 */
final class ReapPacer {

	/** The least time between two looks. */
	static final long INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

	private long next;

	/** Whether a turn skipped a look, so one is due at {@link #next}. */
	private boolean owed;

	/**
	 * Create one whose first turn looks.
	 * @param now the current nanoTime
	 */
	ReapPacer(long now) {
		this.next = now;
	}

	/**
	 * Whether this turn looks; if it does not, a look is owed.
	 * @param now the current nanoTime
	 * @return {@code true} to reap now
	 */
	boolean due(long now) {
		this.owed = now - this.next < 0;
		if (this.owed) {
			return false;
		}
		this.next = now + INTERVAL_NANOS;
		return true;
	}

	/**
	 * Return the earlier of {@code next} and the owed look, if one is owed.
	 * @param next the loop's next deadline so far
	 * @return a nanoTime
	 */
	long nextDeadline(long next) {
		return this.owed ? Dispatcher.earlier(next, this.next) : next;
	}

}
