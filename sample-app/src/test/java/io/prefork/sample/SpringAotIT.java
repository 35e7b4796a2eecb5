package io.prefork.sample;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample app built with Spring AOT ({@code process-aot}) and started with
 * {@code -Dspring.aot.enabled=true}: the master starts, and its workers, which cannot use
 * the context generated at build time yet, start without it and serve.
 */
@EnabledIfSystemProperty(named = "sample.aot", matches = "true",
		disabledReason = "needs the AOT build: mvn -pl sample-app -am verify -Paot")
class SpringAotIT {

	@Test
	void workersOfAnAotBuildStartWithoutAotAndServe() throws Exception {
		try (PreforkServer server = PreforkServer.start()) {
			server.awaitWorkersReady(2);
			assertThat(server.output()).contains("Workers run without Spring AOT (-Dspring.aot.enabled=false)")
				.doesNotContain("APPLICATION FAILED TO START");
			assertThat(RawHttp.getOnce(server.port(), "/hello").status()).isEqualTo(200);
		}
	}

}
