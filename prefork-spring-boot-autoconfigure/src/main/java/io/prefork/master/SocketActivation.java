package io.prefork.master;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.prefork.PreforkException;

/**
 * Listening sockets handed to this process by systemd's socket activation (or anything
 * speaking its protocol): {@code LISTEN_FDS} sockets from fd 3 on, for the process whose
 * pid is {@code LISTEN_PID}, optionally named by {@code LISTEN_FDNAMES}
 * ({@code FileDescriptorName=} in the {@code .socket} unit). The socket named
 * {@code management} serves the management port; the other one the application's. Parsing
 * is pure; {@link HandedInListeners} takes the sockets over.
 *
 * @param application the fd of the application's socket, or {@code -1} for none
 * @param management the fd of the management socket, or {@code -1} for none
 * @param names each fd's name, for the log
 */
record SocketActivation(int application, int management, Map<Integer, String> names) {

	/** The first fd systemd passes ({@code SD_LISTEN_FDS_START}). */
	static final int FIRST_FD = 3;

	/** The name that marks the management port's socket. */
	static final String MANAGEMENT = "management";

	/** The variables of the protocol, which workers must not inherit. */
	static final List<String> VARIABLES = List.of("LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES");

	/** No sockets handed in: the master binds its ports itself. */
	static final SocketActivation NONE = new SocketActivation(-1, -1, Map.of());

	/**
	 * Read the sockets handed to this process from its environment: by a service manager
	 * ({@code LISTEN_PID} is this pid) or by the old master of an upgrade (no
	 * {@code LISTEN_PID}, and an {@link UpgradeHandover} from this process's parent).
	 * @param environment the environment
	 * @param pid this process's pid
	 * @param parentPid this process's parent's pid
	 * @return the sockets, {@link #NONE} when none were passed to this process
	 * @throws PreforkException if the variables are malformed or name sockets this server
	 * cannot tell apart
	 */
	static SocketActivation of(Map<String, String> environment, long pid, long parentPid) {
		String fds = environment.get("LISTEN_FDS");
		String listenPid = environment.get("LISTEN_PID");
		// Like sd_listen_fds(): the variables may have been meant for a parent (a shell
		// script that forgot to unset them), which is no reason to fail.
		boolean forThisProcess = (listenPid != null) ? listenPid.trim().equals(Long.toString(pid))
				: UpgradeHandover.of(environment, parentPid).any();
		if (fds == null || !forThisProcess) {
			return NONE;
		}
		int count = parse(fds);
		List<String> names = names(environment.get("LISTEN_FDNAMES"), count);
		int application = -1;
		int management = -1;
		Map<Integer, String> named = new java.util.LinkedHashMap<>();
		for (int i = 0; i < count; i++) {
			int fd = FIRST_FD + i;
			named.put(fd, names.get(i));
			if (MANAGEMENT.equals(names.get(i)) && management < 0) {
				management = fd;
			}
			else if (application < 0) {
				application = fd;
			}
			else {
				throw invalid("LISTEN_FDS=" + count + " (names " + String.join(":", names)
						+ ") hands in more sockets than this server can serve: one for the application, and one named '"
						+ MANAGEMENT + "' for the management port");
			}
		}
		return new SocketActivation(application, management, Map.copyOf(named));
	}

	private static int parse(String fds) {
		try {
			int count = Integer.parseInt(fds.trim());
			if (count >= 0 && count <= 64) {
				return count;
			}
		}
		catch (NumberFormatException ex) {
			// reported below
		}
		throw invalid("LISTEN_FDS='" + fds + "' is not a number of sockets");
	}

	private static List<String> names(String value, int count) {
		if (value == null) {
			List<String> unnamed = new ArrayList<>();
			for (int i = 0; i < count; i++) {
				unnamed.add("unknown");
			}
			return unnamed;
		}
		List<String> names = List.of(value.split(":", -1));
		if (names.size() != count) {
			throw invalid("LISTEN_FDNAMES='" + value + "' names " + names.size() + " sockets, but LISTEN_FDS=" + count);
		}
		return names;
	}

	private static PreforkException invalid(String description) {
		return new PreforkException("The listening sockets handed in are unusable: " + description + ".",
				"Pass one socket for the application (and one with FileDescriptorName=" + MANAGEMENT
						+ " for management.server.port) in the .socket unit.",
				null);
	}

	/**
	 * Whether any socket was handed in.
	 * @return {@code true} if the master serves at least one inherited socket
	 */
	boolean any() {
		return this.application >= 0 || this.management >= 0;
	}

}
