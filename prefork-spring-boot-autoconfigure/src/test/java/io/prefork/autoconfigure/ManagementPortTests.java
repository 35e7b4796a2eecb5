package io.prefork.autoconfigure;

import java.net.InetAddress;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import io.prefork.InvalidPropertyException;
import io.prefork.PreforkSettings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class ManagementPortTests {

	@ParameterizedTest(name = "management.server.port={0}, server.port={1}: separate {2}")
	@CsvSource(nullValues = "unset", value = { "unset, 8080, false", "unset, 0, false", "-1, 8080, false",
			"-2, 9000, false", "8080, 8080, false", "9000, 9000, false", "8081, 8080, true", "0, 8080, true",
			"0, 0, true", "8080, 0, true" })
	void decidesAsSpringBootsManagementPortType(Integer managementPort, int serverPort, boolean separate) {
		assertThat(ManagementPort.isSeparate(managementPort, serverPort)).isEqualTo(separate);
	}

	@Test
	void bindsASeparatePortAndItsAddress() throws Exception {
		assertThat(bind(Map.of("management.server.port", "9001", "management.server.address", "127.0.0.1"), 8080))
			.isEqualTo(new PreforkSettings.Management(InetAddress.getByName("127.0.0.1"), 9001));
	}

	@Test
	void listensOnEveryAddressUnlessManagementServerAddressIsSet() {
		assertThat(bind(Map.of("management.server.port", "0"), 8080))
			.isEqualTo(new PreforkSettings.Management(null, 0));
	}

	@Test
	void hasNoSeparatePortWhenTheActuatorSharesTheApplicationsPortOrIsDisabled() {
		assertThat(bind(Map.of(), 8080)).isNull();
		assertThat(bind(Map.of("management.server.port", "8080"), 8080)).isNull();
		assertThat(bind(Map.of("management.server.port", "-1"), 8080)).isNull();
	}

	@Test
	void rejectsAPortOutOfRangeNamingTheProperty() {
		assertThatExceptionOfType(InvalidPropertyException.class)
			.isThrownBy(() -> bind(Map.of("management.server.port", "70000"), 8080))
			.withMessageContaining("management.server.port")
			.withMessageContaining("70000");
	}

	@Test
	void refusesASeparatePortInAnAotBuildWhoseWorkersCouldNotServeIt() {
		System.setProperty("spring.aot.enabled", "true");
		try {
			assertThatExceptionOfType(InvalidPropertyException.class)
				.isThrownBy(() -> bind(Map.of("management.server.port", "9090"), 8080))
				.withMessageContaining("management.server.port")
				.withMessageContaining("Spring AOT");
			assertThat(bind(Map.of("management.server.port", "8080"), 8080)).as("the same port is fine").isNull();
		}
		finally {
			System.clearProperty("spring.aot.enabled");
		}
	}

	private static PreforkSettings.Management bind(Map<String, String> properties, int serverPort) {
		return ManagementPort.bind(new Binder(new MapConfigurationPropertySource(properties)), serverPort);
	}

}
