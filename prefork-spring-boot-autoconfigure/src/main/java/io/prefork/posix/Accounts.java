package io.prefork.posix;

import java.nio.file.Path;
import java.util.Optional;

import jnr.posix.Group;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;
import jnr.posix.Passwd;

/**
 * Users and groups as libc sees them ({@code getpwnam}, {@code getgrnam}…, so NSS sources
 * such as LDAP count too), the process's own user, and file ownership.
 */
public final class Accounts {

	private static final POSIX POSIX = POSIXFactory.getNativePOSIX();

	private Accounts() {
	}

	/**
	 * Look a user up by name.
	 * @param name the login name
	 * @return the user, if there is one
	 */
	public static Optional<User> userNamed(String name) {
		return user(POSIX.getpwnam(name));
	}

	/**
	 * Look a user up by id.
	 * @param uid the user id
	 * @return the user, if the account database has one with this id
	 */
	public static Optional<User> userWithId(int uid) {
		return user(POSIX.getpwuid(uid));
	}

	private static Optional<User> user(Passwd passwd) {
		return (passwd != null)
				? Optional.of(new User(passwd.getLoginName(), (int) passwd.getUID(), (int) passwd.getGID()))
				: Optional.empty();
	}

	/**
	 * Look a group up by name.
	 * @param name the group name
	 * @return the group, if there is one
	 */
	public static Optional<GroupEntry> groupNamed(String name) {
		return group(POSIX.getgrnam(name));
	}

	/**
	 * Look a group up by id.
	 * @param gid the group id
	 * @return the group, if the account database has one with this id
	 */
	public static Optional<GroupEntry> groupWithId(int gid) {
		return group(POSIX.getgrgid(gid));
	}

	private static Optional<GroupEntry> group(Group group) {
		return (group != null) ? Optional.of(new GroupEntry(group.getName(), (int) group.getGID()))
				: Optional.empty();
	}

	/**
	 * Return the effective user id of this process.
	 * @return the uid, {@code 0} for root
	 */
	public static int effectiveUid() {
		return POSIX.geteuid();
	}

	/**
	 * Change a file's owner and group (needs root).
	 * @param path the file or directory, not followed if a symbolic link
	 * @param uid the new owner
	 * @param gid the new group
	 * @throws PosixException if it cannot be changed
	 */
	public static void chown(Path path, int uid, int gid) throws PosixException {
		if (POSIX.lchown(path.toString(), uid, gid) != 0) {
			throw new PosixException("chown " + path, POSIX.errno());
		}
	}

	/**
	 * A user account.
	 *
	 * @param name the login name
	 * @param uid the user id
	 * @param gid the primary group id
	 */
	public record User(String name, int uid, int gid) {
	}

	/**
	 * A group.
	 *
	 * @param name the group name
	 * @param gid the group id
	 */
	public record GroupEntry(String name, int gid) {
	}

}
