package io.prefork.master;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class UpgradeHandoverTests {

	private static final long OLD_MASTER = 4000;

	@Test
	void aMasterStartedByAnUpgradeFindsItsPipe() {
		UpgradeHandover handover = UpgradeHandover.of(Map.of("PREFORK_UPGRADE", "4000 5"), OLD_MASTER);
		assertThat(handover.any()).isTrue();
		assertThat(handover.oldMaster()).isEqualTo(OLD_MASTER);
		assertThat(handover.readyFd()).isEqualTo(5);
	}

	@Test
	void aProcessWhoseParentIsNotTheOldMasterIgnoresIt() {
		// A worker (or the training run) of the new master: its parent is the new master.
		assertThat(UpgradeHandover.of(Map.of("PREFORK_UPGRADE", "4000 5"), 4242)).isEqualTo(UpgradeHandover.NONE);
		assertThat(UpgradeHandover.of(Map.of(), OLD_MASTER).any()).isFalse();
	}

	@Test
	void ignoresAMalformedValue() {
		for (String value : List.of("", "4000", "x 5", "4000 5 6", "4000 2")) {
			assertThat(UpgradeHandover.of(Map.of("PREFORK_UPGRADE", value), OLD_MASTER)).as(value)
				.isEqualTo(UpgradeHandover.NONE);
		}
	}

	@Test
	void theNewMastersEnvironmentNamesTheSocketsAndThePipeAfterThem() {
		Map<String, String> old = Map.of("PATH", "/usr/bin", "LISTEN_FDS", "1", "LISTEN_PID", "4000", "LISTEN_FDNAMES",
				"web", "PREFORK_LEAN_MASTER", "6 MALLOC_ARENA_MAX", "MALLOC_ARENA_MAX", "2", "NOTIFY_SOCKET", "/run/n",
				"PREFORK_UPGRADE", "3000 4");
		List<String> environment = UpgradeHandover.environment(old, List.of("PREFORK_LEAN_MASTER", "MALLOC_ARENA_MAX"),
				OLD_MASTER, List.of("application", "management"));
		assertThat(environment).containsExactlyInAnyOrder("PATH=/usr/bin", "NOTIFY_SOCKET=/run/n", "LISTEN_FDS=2",
				"LISTEN_FDNAMES=application:management", "PREFORK_UPGRADE=4000 5");
	}

	@Test
	void theNewMasterTakesTheSocketsWithoutListenPid() {
		Map<String, String> environment = Map.of("LISTEN_FDS", "2", "LISTEN_FDNAMES", "application:management",
				"PREFORK_UPGRADE", "4000 5");
		SocketActivation activation = SocketActivation.of(environment, 4100, OLD_MASTER);
		assertThat(activation.application()).isEqualTo(3);
		assertThat(activation.management()).isEqualTo(4);
		// Its workers are the new master's children: nothing for them.
		assertThat(SocketActivation.of(environment, 4200, 4100)).isEqualTo(SocketActivation.NONE);
	}

}
