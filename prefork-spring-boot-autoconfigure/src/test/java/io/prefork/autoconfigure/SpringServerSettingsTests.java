package io.prefork.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

class SpringServerSettingsTests {

	@Test
	void theDefaultDrainIsSpringBootsShutdownPhasePlusTheCloseAllowance() {
		assertThat(new PreforkProperties().getTimeouts().getGracefulShutdown())
			.isEqualTo(SpringServerSettings.DEFAULT_SHUTDOWN_PHASE.plus(SpringServerSettings.CLOSE_ALLOWANCE));
		PreforkProperties properties = new PreforkProperties();
		assertThat(SpringServerSettings.apply(binder(Map.of()), properties)).isEmpty();
		assertThat(properties.getTimeouts().getGracefulShutdown()).isEqualTo(Duration.ofSeconds(40));
	}

	@Test
	void theDrainFollowsTheShutdownPhaseTimeout() {
		PreforkProperties properties = new PreforkProperties();
		assertThat(SpringServerSettings.apply(binder(Map.of("spring.lifecycle.timeout-per-shutdown-phase", "1m")),
				properties))
			.isEmpty();
		assertThat(properties.getTimeouts().getGracefulShutdown()).isEqualTo(Duration.ofSeconds(70));
	}

	@Test
	void anExplicitDrainWinsAndIsReportedWhenShorterThanTheShutdownPhase() {
		Map<String, String> settings = Map.of("spring.lifecycle.timeout-per-shutdown-phase", "1m",
				"server.prefork.timeouts.graceful-shutdown", "15s");
		PreforkProperties properties = bind(settings);
		List<String> warnings = SpringServerSettings.apply(binder(settings), properties);
		assertThat(properties.getTimeouts().getGracefulShutdown()).isEqualTo(Duration.ofSeconds(15));
		assertThat(warnings).containsExactly("server.prefork.timeouts.graceful-shutdown=15s is shorter than "
				+ "spring.lifecycle.timeout-per-shutdown-phase=1m: workers still finishing requests after 15s are killed");
	}

	@Test
	void aShortExplicitDrainIsNotReportedWithAnImmediateShutdown() {
		Map<String, String> settings = Map.of("server.shutdown", "immediate", "server.prefork.timeouts.graceful-shutdown",
				"5s");
		assertThat(SpringServerSettings.apply(binder(settings), bind(settings))).isEmpty();
	}

	@Test
	void tomcatLimitsThatTheWorkerLimitsReplaceAreReported() {
		Map<String, String> settings = Map.of("server.tomcat.threads.max", "400", "server.tomcat.max-connections",
				"1000", "server.tomcat.accept-count", "50", "server.prefork.worker.threads", "8");
		assertThat(SpringServerSettings.apply(binder(settings), bind(settings))).containsExactly(
				"server.tomcat.threads.max=400 is replaced by server.prefork.worker.threads=8 in each worker",
				"server.tomcat.accept-count=50 has no effect: workers do not listen; the master's listen backlog is "
						+ "server.prefork.overload.backlog=511");
	}

	private static PreforkProperties bind(Map<String, String> settings) {
		return binder(settings).bindOrCreate("server.prefork", PreforkProperties.class);
	}

	private static Binder binder(Map<String, String> settings) {
		return new Binder(new MapConfigurationPropertySource(settings));
	}

}
