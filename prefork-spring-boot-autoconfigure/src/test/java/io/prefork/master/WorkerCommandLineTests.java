package io.prefork.master;

import java.util.List;

import org.junit.jupiter.api.Test;

import static io.prefork.master.WorkerCommandLine.ADD_OPENS;
import static org.assertj.core.api.Assertions.assertThat;

class WorkerCommandLineTests {

	private static final String JAVA = "/usr/lib/jvm/java-17/bin/java";

	private static final List<String> WORKER_OPTIONS = List.of("-Xmx64m", "-XX:+UseSerialGC");

	@Test
	void rerunsAJar() {
		assertThat(build(List.of("java", "-jar", "app.jar", "--x"), List.of()))
			.containsExactly(JAVA, ADD_OPENS, "-jar", "app.jar", "--x");
	}

	@Test
	void rerunsAClassPathAndMainClass() {
		assertThat(build(List.of("java", "-cp", "a:b", "Main", "arg"), List.of()))
			.containsExactly(JAVA, "-cp", "a:b", ADD_OPENS, "Main", "arg");
	}

	@Test
	void putsWorkerOptionsAfterTheMastersAndBeforeTheJar() {
		assertThat(build(List.of("java", "-Xmx512m", "-jar", "app.jar"), WORKER_OPTIONS))
			.containsExactly(JAVA, "-Xmx512m", ADD_OPENS, "-Xmx64m", "-XX:+UseSerialGC", "-jar", "app.jar");
	}

	@Test
	void putsWorkerOptionsBeforeTheMainClass() {
		assertThat(build(List.of("java", "-Xmx512m", "-cp", "app.jar", "com.example.Main", "-Xmx1g"), WORKER_OPTIONS))
			.containsExactly(JAVA, "-Xmx512m", "-cp", "app.jar", ADD_OPENS, "-Xmx64m", "-XX:+UseSerialGC",
					"com.example.Main", "-Xmx1g");
	}

	@Test
	void stripsDebuggerAgentsFromAJvmOptionsVariable() {
		assertThat(WorkerCommandLine.withoutDebugAgents(
				" -Xmx1g  -agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=*:5005 -Dkept=1 "))
			.isEqualTo("-Xmx1g -Dkept=1");
		assertThat(WorkerCommandLine.withoutDebugAgents("-agentlib:jdwp=transport=dt_socket,address=5005")).isEmpty();
	}

	@Test
	void stripsDebuggerAgentsFromJvmOptionsOnly() {
		String jdwp = "-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=*:5005";
		List<String> master = List.of("java", jdwp, "-Xdebug", "-Xrunjdwp:transport=dt_socket,address=5006",
				"-Dkept=1", "-jar", "app.jar", jdwp);
		assertThat(build(master, List.of())).containsExactly(JAVA, "-Dkept=1", ADD_OPENS, "-jar", "app.jar", jdwp);
	}

	@Test
	void keepsArgumentFiles() {
		assertThat(build(List.of("java", "@/tmp/jvm.args", "-jar", "app.jar"), WORKER_OPTIONS))
			.containsExactly(JAVA, "@/tmp/jvm.args", ADD_OPENS, "-Xmx64m", "-XX:+UseSerialGC", "-jar", "app.jar");
		assertThat(build(List.of("java", "@classpath.args", "Main"), List.of()))
			.containsExactly(JAVA, "@classpath.args", ADD_OPENS, "Main");
	}

	@Test
	void keepsArgumentsWithSpacesAsOneToken() {
		List<String> master = List.of("java", "-Dgreeting=hello world", "-cp", "my dir/app.jar", "Main",
				"--name=Jane Doe");
		assertThat(build(master, List.of())).containsExactly(JAVA, "-Dgreeting=hello world", "-cp", "my dir/app.jar",
				ADD_OPENS, "Main", "--name=Jane Doe");
	}

	@Test
	void skipsTheArgumentOfTwoTokenOptions() {
		List<String> master = List.of("java", "--add-opens", "java.base/java.lang=ALL-UNNAMED", "-jar", "app.jar");
		assertThat(build(master, List.of("-Xss512k"))).containsExactly(JAVA, "--add-opens",
				"java.base/java.lang=ALL-UNNAMED", ADD_OPENS, "-Xss512k", "-jar", "app.jar");
	}

	@Test
	void rerunsAModule() {
		List<String> master = List.of("java", "-p", "mods", "-m", "com.example/com.example.Main", "arg");
		assertThat(build(master, WORKER_OPTIONS)).containsExactly(JAVA, "-p", "mods", ADD_OPENS, "-Xmx64m",
				"-XX:+UseSerialGC", "-m", "com.example/com.example.Main", "arg");
	}

	@Test
	void rerunsAModuleGivenWithTheEqualsForm() {
		// 'java --module=m/Main' is accepted by the launcher just like '--module m/Main'.
		List<String> master = List.of("java", "--module-path=mods", "--module=com.example/com.example.Main", "arg");
		assertThat(build(master, WORKER_OPTIONS)).containsExactly(JAVA, "--module-path=mods", ADD_OPENS, "-Xmx64m",
				"-XX:+UseSerialGC", "--module=com.example/com.example.Main", "arg");
	}

	@Test
	void addsJvmOptionsBeforeTheMain() {
		WorkerCommandLine commandLine = WorkerCommandLine.build(List.of("java", "-Xmx1g", "-jar", "app.jar", "--x"), JAVA,
				WORKER_OPTIONS);
		assertThat(commandLine.with(List.of("-XX:SharedArchiveFile=a.jsa"))).containsExactly(JAVA, "-Xmx1g", ADD_OPENS,
				"-Xmx64m", "-XX:+UseSerialGC", "-XX:SharedArchiveFile=a.jsa", "-jar", "app.jar", "--x");
	}

	@Test
	void listsTheMastersJvmOptions() {
		assertThat(WorkerCommandLine.masterJvmOptions(List.of("java", "-Xmx1g", "@args", "-cp", "a:b", "Main", "-Xss1m")))
			.containsExactly("-Xmx1g", "@args", "-cp", "a:b");
		assertThat(WorkerCommandLine.masterJvmOptions(List.of("java", "-jar", "app.jar"))).isEmpty();
	}

	private static List<String> build(List<String> master, List<String> workerOptions) {
		return WorkerCommandLine.build(master, JAVA, workerOptions).argv();
	}

}
