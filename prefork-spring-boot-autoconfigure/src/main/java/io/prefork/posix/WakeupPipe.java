package io.prefork.posix;

/**
 * A self-pipe: any thread (a signal handler, an actuator call) writes a byte to wake a loop
 * blocked in {@link Poller#await(int)} on the read end.
 */
public final class WakeupPipe implements AutoCloseable {

	private final int readFd;

	private final int writeFd;

	private final byte[] drainBuffer = new byte[64];

	/**
	 * Create the pipe (non-blocking, close-on-exec ends).
	 * @throws PosixException if pipe2 fails
	 */
	public WakeupPipe() throws PosixException {
		int[] fds = new int[2];
		if (LibC.INSTANCE.pipe2(fds, Linux.O_NONBLOCK | Linux.O_CLOEXEC) != 0) {
			throw PosixException.last("pipe2");
		}
		this.readFd = fds[0];
		this.writeFd = fds[1];
	}

	/**
	 * Wake the loop. Safe from any thread; a full pipe already means "wake up".
	 */
	public void wake() {
		LibC.INSTANCE.write(this.writeFd, new byte[] { 1 }, 1);
	}

	/**
	 * Consume every pending wake-up byte.
	 */
	public void drain() {
		while (LibC.INSTANCE.read(this.readFd, this.drainBuffer, this.drainBuffer.length) > 0) {
			// keep reading until EAGAIN
		}
	}

	/**
	 * Return the end to poll.
	 * @return the read fd
	 */
	public int readFd() {
		return this.readFd;
	}

	@Override
	public void close() {
		LibC.INSTANCE.close(this.readFd);
		LibC.INSTANCE.close(this.writeFd);
	}

}
