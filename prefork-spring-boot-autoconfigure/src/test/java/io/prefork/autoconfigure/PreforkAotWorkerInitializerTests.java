package io.prefork.autoconfigure;

import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.context.support.GenericApplicationContext;
import org.springframework.core.env.MapPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

class PreforkAotWorkerInitializerTests {

	@AfterEach
	void clearAot() {
		System.clearProperty("spring.aot.enabled");
	}

	@Test
	void registersTheWorkerConnectorInAWorkerRunningAnAotContext() {
		System.setProperty("spring.aot.enabled", "true");
		GenericApplicationContext context = initialized("worker");
		assertThat(context.getBeanDefinition("preforkTomcatCustomizer").getResolvableType().resolve())
			.isEqualTo(PreforkWorkerAutoConfiguration.PreforkTomcatCustomizer.class);
		// Not started as a worker here (no master): only the connector.
		assertThat(context.containsBeanDefinition("preforkWorker")).isFalse();
	}

	@Test
	void leavesAWorkerWithoutAotToTheAutoConfiguration() {
		assertThat(initialized("worker").getBeanDefinitionNames()).isEmpty();
	}

	@Test
	void leavesOtherProcessesAlone() {
		System.setProperty("spring.aot.enabled", "true");
		assertThat(initialized("master").getBeanDefinitionNames()).isEmpty();
		assertThat(initialized(null).getBeanDefinitionNames()).isEmpty();
	}

	private static GenericApplicationContext initialized(String role) {
		GenericApplicationContext context = new GenericApplicationContext();
		if (role != null) {
			context.getEnvironment().getPropertySources()
				.addFirst(new MapPropertySource("prefork", Map.of(PreforkRole.PROPERTY, role)));
		}
		new PreforkAotWorkerInitializer().initialize(context);
		return context;
	}

}
