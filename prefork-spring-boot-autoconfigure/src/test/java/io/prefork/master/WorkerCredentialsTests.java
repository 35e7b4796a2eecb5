package io.prefork.master;

import java.io.File;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.prefork.InvalidPropertyException;
import io.prefork.PreforkSettings;
import io.prefork.posix.Accounts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class WorkerCredentialsTests {

	private static final String SETPRIV = "/usr/bin/setpriv";

	private static final Map<String, Accounts.User> USERS = Map.of("app", new Accounts.User("app", 998, 997),
			"1500", new Accounts.User("1500", 1501, 1501), "root", new Accounts.User("root", 0, 0));

	private static final Map<String, Accounts.GroupEntry> GROUPS = Map.of("app", new Accounts.GroupEntry("app", 997),
			"www-data", new Accounts.GroupEntry("www-data", 33));

	private static final WorkerCredentials.Lookup LOOKUP = new WorkerCredentials.Lookup() {

		@Override
		public Optional<Accounts.User> userNamed(String name) {
			return Optional.ofNullable(USERS.get(name));
		}

		@Override
		public Optional<Accounts.User> userWithId(int uid) {
			return USERS.values().stream().filter((user) -> user.uid() == uid).findFirst();
		}

		@Override
		public Optional<Accounts.GroupEntry> groupNamed(String name) {
			return Optional.ofNullable(GROUPS.get(name));
		}

		@Override
		public Optional<Accounts.GroupEntry> groupWithId(int gid) {
			return GROUPS.values().stream().filter((group) -> group.gid() == gid).findFirst();
		}

	};

	@Test
	void runsWorkersAsTheUserWithItsPrimaryAndSupplementaryGroups() {
		WorkerCredentials credentials = resolve("app", null);
		assertThat(credentials.uid()).isEqualTo(998);
		assertThat(credentials.gid()).isEqualTo(997);
		assertThat(credentials.ownerName()).isEqualTo("app");
		assertThat(credentials.wrap(List.of("java", "-jar", "app.jar"))).containsExactly(SETPRIV, "--reuid=998",
				"--regid=997", "--init-groups", "--", "java", "-jar", "app.jar");
		assertThat(credentials).hasToString(
				"user app (uid 998), group app (gid 997) and the user's supplementary groups");
	}

	@Test
	void takesTheGroupByNameOrId() {
		assertThat(resolve("app", "www-data").gid()).isEqualTo(33);
		assertThat(resolve("app", "33").gid()).isEqualTo(33);
		assertThat(resolve("app", "4242").gid()).isEqualTo(4242);
	}

	@Test
	void takesAUserByIdAndPrefersANameThatLooksLikeAnId() {
		assertThat(resolve("998", null).ownerName()).isEqualTo("app");
		assertThat(resolve("1500", null).uid()).isEqualTo(1501);
	}

	@Test
	void runsAnIdWithoutAccountWithoutSupplementaryGroups() {
		WorkerCredentials credentials = resolve("4000", "4000");
		assertThat(credentials.wrap(List.of("java"))).containsExactly(SETPRIV, "--reuid=4000", "--regid=4000",
				"--clear-groups", "--", "java");
		assertThat(credentials.ownerName()).isEqualTo("4000");
	}

	@Test
	void rejectsAnUnknownUser() {
		assertRejected(() -> resolve("nobody-here", null), "server.prefork.user", "finds none");
	}

	@Test
	void rejectsAnUnknownGroup() {
		assertRejected(() -> resolve("app", "no-such-group"), "server.prefork.group", "finds none");
	}

	@Test
	void needsAGroupForAnIdWithoutAccount() {
		assertRejected(() -> resolve("4000", null), "server.prefork.group", "no primary group");
	}

	@Test
	void needsAMasterStartedAsRoot() {
		assertRejected(() -> WorkerCredentials.resolve(new PreforkSettings.RunAs("app", null), LOOKUP, 1000, SETPRIV),
				"server.prefork.user", "started as root (it runs as uid 1000)");
	}

	@Test
	void neverRunsWorkersAsRoot() {
		assertRejected(() -> resolve("root", null), "server.prefork.user", "must not be root");
		assertRejected(() -> resolve("0", null), "server.prefork.user", "must not be root");
	}

	@Test
	void leavesCommandLinesAloneWithoutAUser() {
		assertThat(WorkerCredentials.MASTER.dropsPrivileges()).isFalse();
		assertThat(WorkerCredentials.MASTER.wrap(List.of("java", "-jar", "app.jar"))).containsExactly("java", "-jar",
				"app.jar");
		assertThat(WorkerCredentials.MASTER.failedChecks(List.of("r:/nonexistent"))).isEmpty();
	}

	@Test
	void findsSetprivOnThePathOrInTheUsualPlaces() {
		assumeTrue(new File("/usr/bin/setpriv").canExecute() || new File("/bin/setpriv").canExecute(),
				"util-linux setpriv is not installed");
		assertThat(WorkerCredentials.findSetpriv("/nonexistent:relative")).endsWith("/setpriv");
	}

	private static WorkerCredentials resolve(String user, String group) {
		return WorkerCredentials.resolve(new PreforkSettings.RunAs(user, group), LOOKUP, 0, SETPRIV);
	}

	private static void assertRejected(Runnable resolve, String property, String reason) {
		assertThatExceptionOfType(InvalidPropertyException.class).isThrownBy(resolve::run)
			.satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo(property))
			.withMessageContaining(reason);
	}

}
