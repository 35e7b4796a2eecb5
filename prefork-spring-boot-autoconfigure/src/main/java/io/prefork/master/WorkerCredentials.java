package io.prefork.master;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.prefork.InvalidPropertyException;
import io.prefork.PreforkException;
import io.prefork.PreforkSettings;
import io.prefork.posix.Accounts;
import io.prefork.posix.PosixException;

/**
 * The user and group that workers run as ({@code server.prefork.user},
 * {@code server.prefork.group}), resolved against this machine's accounts before any worker
 * starts.
 * <p>
 * {@code posix_spawn} cannot change credentials and the JVM cannot fork, so a worker is
 * started through util-linux {@code setpriv}, which sets the real and effective ids and the
 * supplementary groups and then {@code exec}s the java command line in the same process
 * (same pid, same fds), so not even the worker's JVM starts as root. Dropping privileges
 * inside the worker's JVM instead would come after the JVM, its agents and the class path
 * had been opened and run as root.
 */
final class WorkerCredentials {

	/** Workers run as the master's user: command lines are left alone. */
	static final WorkerCredentials MASTER = new WorkerCredentials(null, -1, null, -1, false, null);

	/** How long the access checks may take (one shell, on a loaded machine). */
	private static final long CHECK_TIMEOUT_SECONDS = 60;

	private static final List<String> SETPRIV_DIRECTORIES = List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin");

	private final String userName;

	private final int uid;

	private final String groupName;

	private final int gid;

	private final boolean knownUser;

	private final String setpriv;

	private WorkerCredentials(String userName, int uid, String groupName, int gid, boolean knownUser,
			String setpriv) {
		this.userName = userName;
		this.uid = uid;
		this.groupName = groupName;
		this.gid = gid;
		this.knownUser = knownUser;
		this.setpriv = setpriv;
	}

	/**
	 * Resolve the settings against this machine.
	 * @param runAs the settings
	 * @return the credentials, {@link #MASTER} when no user is set
	 * @throws InvalidPropertyException naming the property that cannot be honoured
	 * @throws PreforkException if {@code setpriv} is missing
	 */
	static WorkerCredentials of(PreforkSettings.RunAs runAs) {
		if (!runAs.dropsPrivileges()) {
			return MASTER;
		}
		return resolve(runAs, Lookup.SYSTEM, Accounts.effectiveUid(), findSetpriv(System.getenv("PATH")));
	}

	/**
	 * Resolve the settings with the given account lookup (pure, for tests).
	 * @param runAs the settings, with a user
	 * @param lookup the account database
	 * @param effectiveUid the master's effective user id
	 * @param setpriv the path of {@code setpriv}
	 * @return the credentials
	 * @throws InvalidPropertyException naming the property that cannot be honoured
	 */
	static WorkerCredentials resolve(PreforkSettings.RunAs runAs, Lookup lookup, int effectiveUid, String setpriv) {
		String user = runAs.user();
		Optional<Accounts.User> account = lookup.userNamed(user).or(() -> isId(user)
				? lookup.userWithId(Integer.parseInt(user)) : Optional.empty());
		if (account.isEmpty() && !isId(user)) {
			throw new InvalidPropertyException("server.prefork.user", user,
					"must name a user of this machine ('getent passwd " + user + "' finds none)");
		}
		if (effectiveUid != 0) {
			throw new InvalidPropertyException("server.prefork.user", user,
					"needs the master to be started as root (it runs as uid " + effectiveUid
							+ "); start it as root, or remove the property to run workers as the master's user");
		}
		int uid = account.map(Accounts.User::uid).orElseGet(() -> Integer.parseInt(user));
		if (uid == 0) {
			throw new InvalidPropertyException("server.prefork.user", user,
					"must not be root (uid 0): workers must never run application code as root");
		}
		String userName = account.map(Accounts.User::name).orElse(null);
		Accounts.GroupEntry group = group(runAs, account, lookup);
		return new WorkerCredentials(userName, uid, group.name(), group.gid(), account.isPresent(), setpriv);
	}

	private static Accounts.GroupEntry group(PreforkSettings.RunAs runAs, Optional<Accounts.User> account,
			Lookup lookup) {
		String group = runAs.group();
		if (group == null) {
			if (account.isEmpty()) {
				throw new InvalidPropertyException("server.prefork.group", null, "must be set when server.prefork.user="
						+ runAs.user() + " is an id with no account (there is no primary group to take)");
			}
			int gid = account.get().gid();
			return lookup.groupWithId(gid).orElse(new Accounts.GroupEntry(null, gid));
		}
		Optional<Accounts.GroupEntry> entry = lookup.groupNamed(group).or(() -> isId(group)
				? lookup.groupWithId(Integer.parseInt(group)) : Optional.empty());
		if (entry.isEmpty() && !isId(group)) {
			throw new InvalidPropertyException("server.prefork.group", group,
					"must name a group of this machine ('getent group " + group + "' finds none)");
		}
		return entry.orElseGet(() -> new Accounts.GroupEntry(null, Integer.parseInt(group)));
	}

	private static boolean isId(String value) {
		return value.chars().allMatch(Character::isDigit) && value.length() <= 9;
	}

	/**
	 * Find {@code setpriv} on the {@code PATH} or in the usual directories.
	 * @param path the {@code PATH}, or {@code null}
	 * @return its absolute path
	 * @throws PreforkException if there is none
	 */
	static String findSetpriv(String path) {
		List<String> directories = new ArrayList<>();
		if (path != null) {
			directories.addAll(List.of(path.split(File.pathSeparator)));
		}
		directories.addAll(SETPRIV_DIRECTORIES);
		for (String directory : directories) {
			File candidate = new File(directory, "setpriv");
			if (candidate.isAbsolute() && candidate.canExecute()) {
				return candidate.getPath();
			}
		}
		throw new PreforkException("server.prefork.user is set, but setpriv (util-linux) is not installed: "
				+ "the master starts workers as another user with it.",
				"Install util-linux (e.g. 'apt-get install util-linux', 'dnf install util-linux'), or remove "
						+ "server.prefork.user.",
				null);
	}

	/**
	 * Whether workers run as another user than the master.
	 * @return {@code true} if command lines are wrapped
	 */
	boolean dropsPrivileges() {
		return this.setpriv != null;
	}

	/**
	 * Return a command line that runs the given one as the worker user: {@code setpriv}
	 * with the user's ids and supplementary groups ({@code initgroups}), or no
	 * supplementary groups for an id without an account.
	 * @param argv the command line
	 * @return the command line to spawn
	 */
	List<String> wrap(List<String> argv) {
		if (!dropsPrivileges()) {
			return argv;
		}
		List<String> wrapped = new ArrayList<>(List.of(this.setpriv, "--reuid=" + this.uid, "--regid=" + this.gid,
				this.knownUser ? "--init-groups" : "--clear-groups", "--"));
		wrapped.addAll(argv);
		return wrapped;
	}

	/**
	 * Check, as the worker user, what it may do with some files: each check is {@code r:},
	 * {@code w:} or {@code x:} followed by a path, as for {@code test -r}. One short process
	 * for all checks, so a long class path costs no more than a short one.
	 * @param checks the checks
	 * @return the failed checks, empty if all pass (or workers run as the master's user)
	 * @throws PreforkException if the checks cannot be run at all
	 */
	List<String> failedChecks(List<String> checks) {
		if (!dropsPrivileges() || checks.isEmpty()) {
			return List.of();
		}
		List<String> argv = wrap(List.of("/bin/sh", "-c",
				"for c; do test -${c%%:*} \"${c#?:}\" || printf '%s\\n' \"$c\"; done; exit 0", "sh"));
		argv = new ArrayList<>(argv);
		argv.addAll(checks);
		try {
			Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (!process.waitFor(CHECK_TIMEOUT_SECONDS, TimeUnit.SECONDS) || process.exitValue() != 0) {
				process.destroyForcibly();
				throw new PreforkException("Cannot check what " + this + " may read: " + argv.get(0)
						+ " failed (" + output.trim() + ")", "Check that setpriv works on this machine.", null);
			}
			return output.lines().filter(checks::contains).toList();
		}
		catch (IOException ex) {
			throw new PreforkException("Cannot check what " + this + " may read: " + ex.getMessage(),
					"Check that setpriv works on this machine.", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new PreforkException("Interrupted while checking what " + this + " may read", "Start again.", ex);
		}
	}

	/**
	 * Hand a file the workers write over to the worker user, e.g. the scoreboard: its mode
	 * (0600, 0700) stays, so still nobody else may touch it.
	 * @param path the file or directory
	 * @throws PosixException if it cannot be changed
	 */
	void handOver(Path path) throws PosixException {
		if (dropsPrivileges()) {
			Accounts.chown(path, this.uid, this.gid);
		}
	}

	/**
	 * Return the user id.
	 * @return the uid, {@code -1} when workers run as the master's user
	 */
	int uid() {
		return this.uid;
	}

	/**
	 * Return the group id.
	 * @return the gid, {@code -1} when workers run as the master's user
	 */
	int gid() {
		return this.gid;
	}

	/**
	 * Return the name a file owned by the user shows as its owner.
	 * @return the login name, or the uid when there is no account
	 */
	String ownerName() {
		return (this.userName != null) ? this.userName : Integer.toString(this.uid);
	}

	@Override
	public String toString() {
		if (!dropsPrivileges()) {
			return "the master's user";
		}
		return "user " + ownerName() + " (uid " + this.uid + "), group "
				+ ((this.groupName != null) ? this.groupName : Integer.toString(this.gid)) + " (gid " + this.gid + ")"
				+ (this.knownUser ? " and the user's supplementary groups" : ", no supplementary groups");
	}

	/**
	 * The account database.
	 */
	interface Lookup {

		/** This machine's accounts, through libc. */
		Lookup SYSTEM = new Lookup() {

			@Override
			public Optional<Accounts.User> userNamed(String name) {
				return Accounts.userNamed(name);
			}

			@Override
			public Optional<Accounts.User> userWithId(int uid) {
				return Accounts.userWithId(uid);
			}

			@Override
			public Optional<Accounts.GroupEntry> groupNamed(String name) {
				return Accounts.groupNamed(name);
			}

			@Override
			public Optional<Accounts.GroupEntry> groupWithId(int gid) {
				return Accounts.groupWithId(gid);
			}

		};

		Optional<Accounts.User> userNamed(String name);

		Optional<Accounts.User> userWithId(int uid);

		Optional<Accounts.GroupEntry> groupNamed(String name);

		Optional<Accounts.GroupEntry> groupWithId(int gid);

	}

}
