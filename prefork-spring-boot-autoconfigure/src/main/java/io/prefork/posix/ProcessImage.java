package io.prefork.posix;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * Replaces this process's program with {@code execve}: the same pid, parent, process group,
 * session, working directory and standard streams, a new JVM. The JDK opens files without
 * {@code O_CLOEXEC}, so every other fd is marked close-on-exec first; the calling thread's
 * signal mask (HotSpot blocks some signals in Java threads) is emptied, so the new program
 * starts with the mask a freshly launched one has.
 */
public final class ProcessImage {

	private ProcessImage() {
	}

	/**
	 * Replace this process's program. Returns only if {@code execve} fails, with the signal
	 * mask restored (fds already marked close-on-exec stay so; this process never execs
	 * otherwise).
	 * @param program the absolute path of the program
	 * @param argv the new command line, {@code argv[0]} included
	 * @param environment the new environment, {@code NAME=value} entries
	 * @param keepOpen the fds above 2 that the new program must still have (e.g. sockets a
	 * service manager passed)
	 * @throws PosixException if the program cannot be executed
	 */
	public static void replace(String program, List<String> argv, List<String> environment, IntPredicate keepOpen)
			throws PosixException {
		LibC libc = LibC.INSTANCE;
		for (int fd : OpenFds.list()) {
			if (fd > 2 && !keepOpen.test(fd)) {
				int flags = libc.fcntl(fd, Linux.F_GETFD, 0);
				if (flags >= 0) {
					libc.fcntl(fd, Linux.F_SETFD, flags | Linux.FD_CLOEXEC);
				}
			}
		}
		Pointer empty = Memory.allocateDirect(LibC.RUNTIME, ProcessSpawner.SIGSET_SIZE, true);
		Pointer previous = Memory.allocateDirect(LibC.RUNTIME, ProcessSpawner.SIGSET_SIZE, true);
		libc.sigemptyset(empty);
		libc.sigprocmask(Linux.SIG_SETMASK, empty, previous);
		List<Pointer> keepAlive = new ArrayList<>();
		libc.execve(program, ProcessSpawner.stringArray(argv, keepAlive),
				ProcessSpawner.stringArray(environment, keepAlive));
		int errno = LibC.errno();
		libc.sigprocmask(Linux.SIG_SETMASK, previous, null);
		throw new PosixException("execve " + program, errno);
	}

}
