package io.prefork.autoconfigure;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import io.prefork.InvalidPropertyException;
import io.prefork.OverloadPolicy;
import io.prefork.PreforkSettings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class PreforkPropertiesTests {

	@Test
	void bindsKebabCasePropertiesOntoTheEngineSettings() {
		PreforkProperties properties = bind(Map.of("server.prefork.workers", "3", "server.prefork.worker.threads", "8",
				"server.prefork.worker.max-connections", "200", "server.prefork.worker.jvm-options",
				"-Xmx64m -XX:+UseSerialGC", "server.prefork.timeouts.boot", "5s", "server.prefork.timeouts.handoff",
				"250ms", "server.prefork.timeouts.graceful-shutdown", "1m", "server.prefork.overload.backlog", "128"));
		InetAddress loopback = InetAddress.getLoopbackAddress();
		PreforkSettings settings = properties.toSettings(loopback, 8081);
		assertThat(settings.address()).isEqualTo(loopback);
		assertThat(settings.port()).isEqualTo(8081);
		assertThat(settings.workers()).isEqualTo(3);
		assertThat(settings.timeouts()).isEqualTo(
				new PreforkSettings.Timeouts(Duration.ofSeconds(5), Duration.ofMillis(250), Duration.ofMinutes(1)));
		assertThat(settings.worker())
			.isEqualTo(new PreforkSettings.Worker(8, 200, List.of("-Xmx64m", "-XX:+UseSerialGC")));
		assertThat(settings.overload().backlog()).isEqualTo(128);
	}

	@Test
	void bindsTheOverloadGroup() {
		PreforkProperties properties = bind(Map.of("server.prefork.overload.policy", "reject",
				"server.prefork.overload.queue-size", "0", "server.prefork.overload.max-queue-wait", "2s",
				"server.prefork.overload.retry-after", "7s"));
		assertThat(properties.toSettings(null, 8080).overload()).isEqualTo(
				new PreforkSettings.Overload(OverloadPolicy.REJECT, 0, Duration.ofSeconds(2), Duration.ofSeconds(7), 511));
	}

	@Test
	void bindsTheEnabledFlag() {
		assertThat(bind(Map.of()).isEnabled()).isTrue();
		assertThat(bind(Map.of("server.prefork.enabled", "false")).isEnabled()).isFalse();
	}

	@Test
	void defaultsWhenNothingIsSet() {
		PreforkSettings settings = bind(Map.of()).toSettings(null, 0);
		assertThat(settings.address()).isNull();
		assertThat(settings.port()).isZero();
		assertThat(settings.workers()).isEqualTo(Math.max(2, Runtime.getRuntime().availableProcessors()));
		assertThat(settings.timeouts()).isEqualTo(
				new PreforkSettings.Timeouts(Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ofSeconds(30)));
		assertThat(settings.worker()).isEqualTo(new PreforkSettings.Worker(50, 1000, List.of()));
		assertThat(settings.overload()).isEqualTo(new PreforkSettings.Overload(OverloadPolicy.BACKPRESSURE, 64,
				Duration.ofSeconds(30), Duration.ofSeconds(5), 511));
	}

	@Test
	void splitsJvmOptionsOnAnyWhitespace() {
		PreforkProperties properties = bind(Map.of("server.prefork.worker.jvm-options", "  -Xss512k \t -Xmx1g  "));
		assertThat(properties.toSettings(null, 8080).worker().jvmOptions()).containsExactly("-Xss512k", "-Xmx1g");
	}

	@ParameterizedTest
	@CsvSource({ "server.prefork.workers, 0", "server.prefork.workers, -2", "server.prefork.workers, 1025",
			"server.prefork.worker.threads, 0", "server.prefork.worker.max-connections, 0",
			"server.prefork.timeouts.boot, -1s", "server.prefork.timeouts.boot, 0s",
			"server.prefork.timeouts.handoff, 0ms", "server.prefork.timeouts.graceful-shutdown, -5s",
			"server.prefork.overload.backlog, 0", "server.prefork.overload.queue-size, -1",
			"server.prefork.overload.max-queue-wait, 0s", "server.prefork.overload.retry-after, -1s" })
	void rejectsAnInvalidValueNamingTheProperty(String property, String value) {
		PreforkProperties properties = bind(Map.of(property, value));
		assertThatExceptionOfType(InvalidPropertyException.class).isThrownBy(() -> properties.toSettings(null, 8080))
			.satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo(property))
			.withMessageContaining("'" + property + "'")
			.satisfies((ex) -> assertThat(ex.getAction()).contains(property));
	}

	@ParameterizedTest
	@CsvSource({ "70000", "-1" })
	void rejectsAnInvalidPort(int port) {
		assertThatExceptionOfType(InvalidPropertyException.class)
			.isThrownBy(() -> bind(Map.of()).toSettings(null, port))
			.satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo("server.port"))
			.withMessage("Invalid value '" + port + "' for property 'server.port': must be between 0 and 65535.");
	}

	private static PreforkProperties bind(Map<String, String> properties) {
		return new Binder(new MapConfigurationPropertySource(properties)).bindOrCreate("server.prefork",
				PreforkProperties.class);
	}

}
