package io.prefork.posix;

/**
 * A pipe whose ends are non-blocking and close-on-exec: one end is handed to a child
 * process explicitly (as a numbered fd) and the other polled by the loop.
 */
public final class Pipe implements AutoCloseable {

	private final int readFd;

	private int writeFd;

	private Pipe(int readFd, int writeFd) {
		this.readFd = readFd;
		this.writeFd = writeFd;
	}

	/**
	 * Create a pipe.
	 * @return the pipe
	 * @throws PosixException if pipe2 fails
	 */
	public static Pipe open() throws PosixException {
		int[] fds = new int[2];
		if (LibC.INSTANCE.pipe2(fds, Linux.O_NONBLOCK | Linux.O_CLOEXEC) != 0) {
			throw PosixException.last("pipe2");
		}
		return new Pipe(fds[0], fds[1]);
	}

	/**
	 * Return the end to poll and read.
	 * @return the read fd
	 */
	public int readFd() {
		return this.readFd;
	}

	/**
	 * Return the end to hand to a child.
	 * @return the write fd, {@code -1} once closed here
	 */
	public int writeFd() {
		return this.writeFd;
	}

	/**
	 * Close this process's copy of the write end (the child has its own), so that the read
	 * end sees EOF once the child's copy is gone.
	 */
	public void closeWriteEnd() {
		FileDescriptors.close(this.writeFd);
		this.writeFd = -1;
	}

	/**
	 * Read without blocking.
	 * @param into the buffer
	 * @return the number of bytes read, {@code 0} at EOF, {@code -1} if nothing is pending
	 */
	public int readNow(byte[] into) {
		long read = LibC.INSTANCE.read(this.readFd, into, into.length);
		if (read >= 0) {
			return (int) read;
		}
		return PosixException.last("read").wouldBlock() ? -1 : 0;
	}

	@Override
	public void close() {
		FileDescriptors.close(this.readFd);
		closeWriteEnd();
	}

}
