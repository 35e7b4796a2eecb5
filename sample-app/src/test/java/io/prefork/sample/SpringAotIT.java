package io.prefork.sample;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample app built with Spring AOT ({@code process-aot}) and started with
 * {@code -Dspring.aot.enabled=true}: workers inherit the option, run the context generated
 * at build time, and serve, the pool's endpoint included.
 */
@EnabledIfSystemProperty(named = "sample.aot", matches = "true",
		disabledReason = "needs the AOT build: mvn -pl sample-app -am verify -Paot")
class SpringAotIT {

	@Test
	void workersRunTheAotContextAndServe() throws Exception {
		try (PreforkServer server = PreforkServer.start()) {
			server.awaitWorkersReady(2);
			assertThat(server.countInOutput("Starting AOT-processed SampleApplication")).as("AOT workers")
				.isEqualTo(2);
			assertThat(server.output()).doesNotContain("APPLICATION FAILED TO START");
			assertThat(RawHttp.getOnce(server.port(), "/hello").status()).isEqualTo(200);
			RawHttp.Response pool = RawHttp.getOnce(server.port(), "/actuator/prefork");
			assertThat(pool.status()).isEqualTo(200);
			assertThat(pool.body()).contains("\"state\":\"idle\"");
			assertThat(RawHttp.getOnce(server.port(), "/actuator/health").body()).contains("prefork");
		}
	}

}
