package io.prefork.master;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * What an old master tells the new master it starts for an upgrade (SIGUSR2), through the
 * new one's environment: the listening sockets from fd 3 in systemd's protocol
 * ({@code LISTEN_FDS}, {@code LISTEN_FDNAMES}), and {@code PREFORK_UPGRADE=<old pid>
 * <fd>}, the write end of a pipe on which the new master says it is ready. There is no
 * {@code LISTEN_PID}: the old master cannot know the new one's pid before it starts it.
 * Instead the variables count as this process's while its parent is the old master they
 * name, which is never so for a process the new master starts in turn. Pure.
 *
 * @param oldMaster the pid of the master being replaced, or {@code -1} if this is no upgrade
 * @param readyFd the fd to report readiness on, or {@code -1}
 */
record UpgradeHandover(long oldMaster, int readyFd) {

	/** The variable, which workers must not inherit. */
	static final String ENVIRONMENT_VARIABLE = "PREFORK_UPGRADE";

	/** This master was not started by an upgrade. */
	static final UpgradeHandover NONE = new UpgradeHandover(-1, -1);

	/**
	 * Read the hand-over meant for this process.
	 * @param environment the environment
	 * @param parentPid this process's parent's pid
	 * @return the hand-over, {@link #NONE} if there is none or it names another parent
	 */
	static UpgradeHandover of(Map<String, String> environment, long parentPid) {
		String value = environment.get(ENVIRONMENT_VARIABLE);
		if (value == null) {
			return NONE;
		}
		String[] fields = value.trim().split("\\s+");
		try {
			long oldMaster = Long.parseLong(fields[0]);
			int readyFd = Integer.parseInt(fields[1]);
			return (fields.length == 2 && oldMaster == parentPid && readyFd > 2) ? new UpgradeHandover(oldMaster, readyFd)
					: NONE;
		}
		catch (NumberFormatException | ArrayIndexOutOfBoundsException ex) {
			return NONE;
		}
	}

	/**
	 * Read the hand-over meant for this JVM's process.
	 * @return the hand-over, maybe {@link #NONE}
	 */
	static UpgradeHandover ofThisProcess() {
		return of(System.getenv(), parentPid());
	}

	static long parentPid() {
		return ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
	}

	/**
	 * Whether this master replaces another one.
	 * @return {@code true} for a master started by an upgrade
	 */
	boolean any() {
		return this.oldMaster > 0;
	}

	/**
	 * Build the new master's environment: this master's, without what belongs to it alone
	 * or to its own start, with the sockets and the pipe at the fds after them.
	 * @param environment this master's environment
	 * @param excluded variables the new master must not inherit (the lean marker and what
	 * the re-execution added, for instance)
	 * @param oldMaster this master's pid
	 * @param socketNames the names of the sockets passed from fd 3 on
	 * @return {@code NAME=value} entries
	 */
	static List<String> environment(Map<String, String> environment, Collection<String> excluded, long oldMaster,
			List<String> socketNames) {
		List<String> entries = new ArrayList<>();
		for (Map.Entry<String, String> variable : environment.entrySet()) {
			String name = variable.getKey();
			if (!excluded.contains(name) && !SocketActivation.VARIABLES.contains(name)
					&& !name.equals(ENVIRONMENT_VARIABLE)) {
				entries.add(name + "=" + variable.getValue());
			}
		}
		entries.add("LISTEN_FDS=" + socketNames.size());
		entries.add("LISTEN_FDNAMES=" + String.join(":", socketNames));
		entries.add(ENVIRONMENT_VARIABLE + "=" + oldMaster + " " + (SocketActivation.FIRST_FD + socketNames.size()));
		return entries;
	}

}
