package io.prefork.master;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LeanMasterTests {

	private static final List<String> JAR = List.of("java", "-Dx=1", "@opts", "-jar", "app.jar", "--a=b", "-Xmx1g");

	private static final List<String> CLASS_PATH = List.of("java", "-cp", "a.jar:b", "-Xmx1g", "com.example.App",
			"arg with space");

	@Test
	void insertsOptionsJustBeforeTheJarOrMainClass() {
		assertThat(LeanMaster.insert(JAR, List.of("-Xmx64m", "-Xss512k"))).containsExactly("java", "-Dx=1", "@opts",
				"-Xmx64m", "-Xss512k", "-jar", "app.jar", "--a=b", "-Xmx1g");
		assertThat(LeanMaster.insert(CLASS_PATH, List.of("-Xss512k"))).containsExactly("java", "-cp", "a.jar:b",
				"-Xmx1g", "-Xss512k", "com.example.App", "arg with space");
	}

	@Test
	void workersGetTheCommandLineAsItWasBeforeTheReexecution() {
		List<String> options = List.of("-Xmx64m", "-XX:+UseSerialGC", "--add-opens=java.base/java.lang=ALL-UNNAMED");
		assertThat(LeanMaster.withoutAddedOptions(LeanMaster.insert(JAR, options), options.size())).isEqualTo(JAR);
		assertThat(LeanMaster.withoutAddedOptions(LeanMaster.insert(CLASS_PATH, options), options.size()))
			.isEqualTo(CLASS_PATH);
	}

	@Test
	void leavesACommandLineThatWasNotReexecutedAlone() {
		assertThat(LeanMaster.withoutAddedOptions(JAR, 0)).isEqualTo(JAR);
	}

}
