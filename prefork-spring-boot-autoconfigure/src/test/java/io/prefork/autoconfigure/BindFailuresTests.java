package io.prefork.autoconfigure;

import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import io.prefork.PreforkException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class BindFailuresTests {

	@Test
	void anInvalidEnumValueListsTheValidOnesAsWritten() {
		PreforkException failure = BindFailures.describe(bindFailure("server.prefork.dispatch", "bogus"));
		assertThat(failure.getMessage()).contains("Property: server.prefork.dispatch", "Value: \"bogus\"");
		assertThat(failure.getAction())
			.isEqualTo("Update your application's configuration. The following values are valid: pass-fd, "
					+ "accept-on-command, shared-accept");
	}

	@Test
	void aNestedEnumToo() {
		assertThat(BindFailures.describe(bindFailure("server.prefork.overload.policy", "drop")).getAction())
			.endsWith("valid: backpressure, close, reject");
	}

	@Test
	void anInvalidNumberNamesNoValues() {
		PreforkException failure = BindFailures.describe(bindFailure("server.prefork.workers", "many"));
		assertThat(failure.getMessage()).contains("Property: server.prefork.workers", "Value: \"many\"");
		assertThat(failure.getAction()).isEqualTo("Update your application's configuration");
	}

	private static BindException bindFailure(String name, String value) {
		Binder binder = new Binder(new MapConfigurationPropertySource(Map.of(name, value)));
		return catchThrowableOfType(BindException.class,
				() -> binder.bindOrCreate("server.prefork", PreforkProperties.class));
	}

}
