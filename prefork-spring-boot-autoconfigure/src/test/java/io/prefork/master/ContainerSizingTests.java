package io.prefork.master;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import io.prefork.PreforkException;
import io.prefork.PreforkSettings;
import io.prefork.autoconfigure.PreforkProperties;
import io.prefork.container.ContainerLimits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class ContainerSizingTests {

	private static final long MB = 1L << 20;

	private static final ContainerLimits ONE_GIB = new ContainerLimits(OptionalLong.of(1L << 30),
			OptionalDouble.of(2));

	@Test
	void givesWorkersTheirShareOfTheLimit() {
		PreforkSettings.Worker worker = ContainerSizing.apply(settings("server.prefork.workers", "4"), ONE_GIB, 64 * MB);
		// (1024 - 64 - 5 × 140) / 4 = 65 MB
		assertThat(worker.maxHeapBytes()).isEqualTo(65 * MB);
	}

	@Test
	void leavesWorkersAloneWithoutALimit() {
		PreforkSettings.Worker worker = ContainerSizing.apply(settings("server.prefork.workers", "4"),
				ContainerLimits.NONE, 64 * MB);
		assertThat(worker.maxHeapBytes()).isZero();
	}

	@Test
	void leavesWorkersAloneWhenSizingIsOff() {
		PreforkSettings.Worker worker = ContainerSizing.apply(
				settings("server.prefork.workers", "4", "server.prefork.container.sizing", "false"), ONE_GIB, 64 * MB);
		assertThat(worker.maxHeapBytes()).isZero();
	}

	@Test
	void plansForAConfiguredLimitWithoutACgroup() {
		PreforkSettings.Worker worker = ContainerSizing.apply(settings("server.prefork.workers", "2",
				"server.prefork.container.memory-limit", "768MB", "server.prefork.container.non-heap", "100MB"),
				ContainerLimits.NONE, 32 * MB);
		// (768 - 32 - 3 × 100) / 2 = 218 MB
		assertThat(worker.maxHeapBytes()).isEqualTo(218 * MB);
	}

	@Test
	void anExplicitWorkerHeapWins() {
		assertThat(ContainerSizing.apply(settings("server.prefork.workers", "4", "server.prefork.worker.max-heap",
				"300MB"), ONE_GIB, 64 * MB).maxHeapBytes()).isEqualTo(300 * MB);
		PreforkSettings.Worker fromOptions = ContainerSizing.apply(
				settings("server.prefork.workers", "8", "server.prefork.worker.jvm-options", "-Xmx96m"), ONE_GIB,
				64 * MB);
		assertThat(fromOptions.maxHeapBytes()).isZero();
		assertThat(fromOptions.jvmOptions()).containsExactly("-Xmx96m");
		assertThat(ContainerSizing.apply(settings("server.prefork.workers", "8", "server.prefork.worker.jvm-options",
				"-XX:MaxRAMPercentage=10"), ONE_GIB, 64 * MB).maxHeapBytes()).isZero();
	}

	@Test
	void aDynamicPoolIsPlannedForItsMostWorkers() {
		PreforkSettings.Worker worker = ContainerSizing.apply(settings("server.prefork.workers", "2",
				"server.prefork.pool.mode", "dynamic", "server.prefork.pool.max-workers", "4"), ONE_GIB, 64 * MB);
		assertThat(worker.maxHeapBytes()).isEqualTo(65 * MB);
	}

	@Test
	void failsAtStartWhenThePoolCannotFit() {
		assertThatExceptionOfType(PreforkException.class)
			.isThrownBy(() -> ContainerSizing.apply(settings("server.prefork.workers", "8",
					"server.prefork.container.memory-limit", "512MB"), ContainerLimits.NONE, 64 * MB))
			.withMessageStartingWith("8 workers do not fit in the 512 MB memory limit");
	}

	private static PreforkSettings settings(String... properties) {
		Map<String, String> map = new LinkedHashMap<>();
		for (int i = 0; i < properties.length; i += 2) {
			map.put(properties[i], properties[i + 1]);
		}
		PreforkProperties bound = new Binder(new MapConfigurationPropertySource(map))
			.bindOrCreate("server.prefork", PreforkProperties.class);
		return bound.toSettings(InetAddress.getLoopbackAddress(), 0);
	}

}
