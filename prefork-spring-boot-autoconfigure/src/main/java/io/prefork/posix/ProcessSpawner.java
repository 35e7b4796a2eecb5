package io.prefork.posix;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import jnr.constants.platform.Signal;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.byref.IntByReference;

/**
 * Starts worker processes (and helpers, and an upgrade's new master) with
 * {@code posix_spawnp}. A worker gets {@code /dev/null} (or the listening socket, for the
 * dispatch modes that share it) as stdin, the parent's stdout and stderr, its control socket
 * as fd 3 and nothing else: the JDK opens jars without {@code O_CLOEXEC}, so every other fd
 * is closed explicitly. It runs in its own process group (a terminal's Ctrl-C reaches only
 * the master, which stops the workers in order). Every child starts with an empty signal
 * mask (HotSpot blocks some signals in its threads and a child would inherit that).
 */
public final class ProcessSpawner {

	/** The fd at which the child finds its control socket. */
	public static final int CHILD_CONTROL_FD = 3;

	private static final int SPAWN_STRUCT_SIZE = 512;

	static final int SIGSET_SIZE = 256;

	private static volatile boolean closeFromAvailable = true;

	private ProcessSpawner() {
	}

	/**
	 * Spawn a process.
	 * @param argv the command line; {@code argv[0]} is looked up on the PATH
	 * @param environment {@code NAME=value} entries
	 * @param controlFd the parent's fd that becomes the child's fd 3
	 * @param stdinFd the parent's fd that becomes the child's fd 0, or {@code -1} for
	 * {@code /dev/null}
	 * @return the child's pid
	 * @throws PosixException if the process cannot be started
	 */
	public static int spawn(List<String> argv, List<String> environment, int controlFd, int stdinFd)
			throws PosixException {
		return spawn(argv, environment, (libc, actions) -> {
			if (stdinFd >= 0) {
				check(libc.posix_spawn_file_actions_adddup2(actions, stdinFd, 0), "adddup2 stdin");
			}
			else {
				openDevNull(actions);
			}
			check(libc.posix_spawn_file_actions_adddup2(actions, controlFd, CHILD_CONTROL_FD), "adddup2");
			closeEverythingAbove(actions, CHILD_CONTROL_FD);
		});
	}

	/**
	 * Spawn a helper process that gets no control socket: {@code /dev/null} as stdin, its
	 * stdout and stderr appended to a file (created with mode 0600), nothing else.
	 * @param argv the command line; {@code argv[0]} is looked up on the PATH
	 * @param environment {@code NAME=value} entries
	 * @param output the file for the child's stdout and stderr
	 * @return the child's pid
	 * @throws PosixException if the process cannot be started
	 */
	public static int spawnWithOutput(List<String> argv, List<String> environment, String output)
			throws PosixException {
		return spawn(argv, environment, (libc, actions) -> {
			openDevNull(actions);
			check(libc.posix_spawn_file_actions_addopen(actions, 1, output,
					Linux.O_WRONLY | Linux.O_CREAT | Linux.O_APPEND, 0600), "addopen " + output);
			check(libc.posix_spawn_file_actions_adddup2(actions, 1, 2), "adddup2 stderr");
			closeEverythingAbove(actions, 2);
		});
	}

	/**
	 * Spawn a process that keeps this one's stdin, stdout, stderr and process group (a
	 * terminal's Ctrl-C reaches both), and gets the given fds, in order, from fd 3 on, with
	 * no close-on-exec flag; it gets nothing else.
	 * @param argv the command line; {@code argv[0]} is looked up on the PATH
	 * @param environment {@code NAME=value} entries
	 * @param fds this process's fds that become the child's fds 3, 4, …
	 * @return the child's pid
	 * @throws PosixException if the process cannot be started
	 */
	public static int spawnInheriting(List<String> argv, List<String> environment, List<Integer> fds)
			throws PosixException {
		// Copies above the child's range first: a source could sit where another one goes.
		List<Integer> copies = new ArrayList<>();
		try {
			for (int fd : fds) {
				int copy = LibC.INSTANCE.fcntl(fd, Linux.F_DUPFD_CLOEXEC, CHILD_CONTROL_FD + fds.size());
				if (copy < 0) {
					throw PosixException.last("fcntl F_DUPFD_CLOEXEC of fd " + fd);
				}
				copies.add(copy);
			}
			return spawn(argv, environment, false, (libc, actions) -> {
				for (int i = 0; i < copies.size(); i++) {
					check(libc.posix_spawn_file_actions_adddup2(actions, copies.get(i), CHILD_CONTROL_FD + i),
							"adddup2 fd " + fds.get(i));
				}
				closeEverythingAbove(actions, CHILD_CONTROL_FD + fds.size() - 1);
			});
		}
		finally {
			copies.forEach(FileDescriptors::close);
		}
	}

	private static int spawn(List<String> argv, List<String> environment, FileActions fileActions)
			throws PosixException {
		return spawn(argv, environment, true, fileActions);
	}

	private static int spawn(List<String> argv, List<String> environment, boolean ownProcessGroup,
			FileActions fileActions) throws PosixException {
		LibC libc = LibC.INSTANCE;
		Pointer actions = Memory.allocateDirect(LibC.RUNTIME, SPAWN_STRUCT_SIZE, true);
		Pointer attributes = Memory.allocateDirect(LibC.RUNTIME, SPAWN_STRUCT_SIZE, true);
		check(libc.posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init");
		check(libc.posix_spawnattr_init(attributes), "posix_spawnattr_init");
		try {
			fileActions.add(libc, actions);
			Pointer noSignals = Memory.allocateDirect(LibC.RUNTIME, SIGSET_SIZE, true);
			libc.sigemptyset(noSignals);
			Pointer defaultSignals = Memory.allocateDirect(LibC.RUNTIME, SIGSET_SIZE, true);
			libc.sigemptyset(defaultSignals);
			for (Signal signal : new Signal[] { Signal.SIGHUP, Signal.SIGINT, Signal.SIGTERM, Signal.SIGPIPE }) {
				libc.sigaddset(defaultSignals, signal.intValue());
			}
			check(libc.posix_spawnattr_setsigmask(attributes, noSignals), "setsigmask");
			check(libc.posix_spawnattr_setsigdefault(attributes, defaultSignals), "setsigdefault");
			check(libc.posix_spawnattr_setpgroup(attributes, 0), "setpgroup");
			check(libc.posix_spawnattr_setflags(attributes, (short) (Linux.POSIX_SPAWN_SETSIGMASK
					| Linux.POSIX_SPAWN_SETSIGDEF | (ownProcessGroup ? Linux.POSIX_SPAWN_SETPGROUP : 0))),
					"setflags");
			List<Pointer> keepAlive = new ArrayList<>();
			IntByReference pid = new IntByReference();
			int result = libc.posix_spawnp(pid, argv.get(0), actions, attributes, stringArray(argv, keepAlive),
					stringArray(environment, keepAlive));
			check(result, "posix_spawnp " + argv.get(0));
			return pid.intValue();
		}
		finally {
			libc.posix_spawnattr_destroy(attributes);
			libc.posix_spawn_file_actions_destroy(actions);
		}
	}

	private static void openDevNull(Pointer actions) throws PosixException {
		check(LibC.INSTANCE.posix_spawn_file_actions_addopen(actions, 0, "/dev/null", Linux.O_RDONLY, 0), "addopen");
	}

	private static void closeEverythingAbove(Pointer actions, int highestKept) throws PosixException {
		if (closeFromAvailable) {
			try {
				check(LibC.INSTANCE.posix_spawn_file_actions_addclosefrom_np(actions, highestKept + 1), "addclosefrom_np");
				return;
			}
			catch (UnsatisfiedLinkError ex) {
				// glibc older than 2.34: list our fds instead (racy with other threads, but bounded).
				closeFromAvailable = false;
			}
		}
		for (int fd : OpenFds.list()) {
			if (fd > highestKept) {
				check(LibC.INSTANCE.posix_spawn_file_actions_addclose(actions, fd), "addclose");
			}
		}
	}

	static Pointer stringArray(List<String> strings, List<Pointer> keepAlive) {
		Pointer array = Memory.allocateDirect(LibC.RUNTIME, (long) (strings.size() + 1) * LibC.RUNTIME.addressSize(),
				true);
		for (int i = 0; i < strings.size(); i++) {
			byte[] bytes = strings.get(i).getBytes(StandardCharsets.UTF_8);
			Pointer string = Memory.allocateDirect(LibC.RUNTIME, bytes.length + 1, true);
			string.put(0, bytes, 0, bytes.length);
			keepAlive.add(string);
			array.putPointer((long) i * LibC.RUNTIME.addressSize(), string);
		}
		keepAlive.add(array);
		return array;
	}

	private static void check(int result, String call) throws PosixException {
		// posix_spawn* return the error number instead of setting errno.
		if (result != 0) {
			throw new PosixException(call, result);
		}
	}

	/** What the child's file descriptors are. */
	@FunctionalInterface
	private interface FileActions {

		void add(LibC libc, Pointer actions) throws PosixException;

	}

}
