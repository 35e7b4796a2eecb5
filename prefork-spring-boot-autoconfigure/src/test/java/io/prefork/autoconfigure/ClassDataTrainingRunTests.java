package io.prefork.autoconfigure;

import org.junit.jupiter.api.Test;

import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/**
 * The settings that keep a class-data training run off the ports the master listens on.
 */
class ClassDataTrainingRunTests {

	@Test
	void servesOnAnEphemeralLoopbackPortInPlainHttp() {
		MockEnvironment environment = new MockEnvironment().withProperty("server.port", "8443")
			.withProperty("server.ssl.enabled", "true");
		assertThat(ClassDataTrainingRun.properties(environment)).containsOnly(entry("server.address", "127.0.0.1"),
				entry("server.port", 0), entry("server.ssl.enabled", false));
	}

	@Test
	void movesASeparateManagementServerToAnEphemeralLoopbackPortToo() {
		MockEnvironment environment = new MockEnvironment().withProperty("management.server.port", "8081");
		assertThat(ClassDataTrainingRun.properties(environment)).contains(
				entry("management.server.address", "127.0.0.1"), entry("management.server.port", 0),
				entry("management.server.ssl.enabled", false));
	}

	@Test
	void leavesADisabledManagementServerDisabled() {
		MockEnvironment environment = new MockEnvironment().withProperty("management.server.port", "-1");
		assertThat(ClassDataTrainingRun.properties(environment)).doesNotContainKey("management.server.port");
	}

}
