package io.prefork.sample;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A pool that cannot fit its memory limit stops the master at start, saying what would fit
 * (with a configured limit, so no cgroup or root is needed).
 */
class MemoryPlanIT {

	@Test
	void aPoolThatCannotFitFailsAtStartSayingWhatWould() throws Exception {
		try (PreforkServer server = PreforkServer.startWithoutWaiting("--server.prefork.workers=8",
				"--server.prefork.container.memory-limit=512MB",
				"--server.prefork.worker.jvm-options=-XX:TieredStopAtLevel=1")) {
			server.awaitTrue("the master to exit", Duration.ofSeconds(120), () -> !server.process().isAlive());
			assertThat(server.process().exitValue()).isEqualTo(1);
			assertThat(server.output()).contains("8 workers do not fit in the 512 MB memory limit",
					"Run at most 1 worker in this limit ('server.prefork.workers=1')")
				.doesNotContain(" ready in ");
		}
	}

}
