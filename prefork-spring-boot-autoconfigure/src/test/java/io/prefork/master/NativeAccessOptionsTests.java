package io.prefork.master;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NativeAccessOptionsTests {

	@Test
	void jdk17GetsNothing() {
		assertThat(NativeAccessOptions.of(17, List.of())).isEmpty();
	}

	@Test
	void jdk22GetsNativeAccess() {
		assertThat(NativeAccessOptions.of(22, List.of())).containsExactly("--enable-native-access=ALL-UNNAMED");
	}

	@Test
	void jdk25GetsNativeAndUnsafeMemoryAccess() {
		assertThat(NativeAccessOptions.of(25, List.of())).containsExactly("--enable-native-access=ALL-UNNAMED",
				"--sun-misc-unsafe-memory-access=allow");
	}

	@Test
	void anOptionOfTheSameKindWins() {
		assertThat(NativeAccessOptions.of(25, List.of("--enable-native-access", "ALL-UNNAMED",
				"--sun-misc-unsafe-memory-access=deny"))).isEmpty();
	}

}
