package io.prefork.master;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Builds a worker's command line from the master's own: the same java executable, JVM
 * options, {@code -jar} or class path, main class and arguments (so {@code java -jar},
 * {@code mvn spring-boot:run}'s forked JVM and IDE launches all work), with the worker's
 * JVM options placed just before the main class or {@code -jar} so they win over the
 * master's, and debugger agents removed (a second JVM on the same JDWP port dies).
 */
record WorkerCommandLine(List<String> jvm, List<String> main) {

	/** Lets a worker turn a passed fd into a JDK {@code SocketChannel}. */
	static final String ADD_OPENS = "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED";

	private static final Set<String> OPTIONS_WITH_ARGUMENT = Set.of("-cp", "-classpath", "--class-path", "-p",
			"--module-path", "--upgrade-module-path", "--add-modules", "--add-opens", "--add-exports", "--add-reads",
			"--patch-module", "--limit-modules", "--enable-native-access", "--source");

	private static final Set<String> MAIN_MARKERS = Set.of("-jar", "-m", "--module");

	WorkerCommandLine {
		jvm = List.copyOf(jvm);
		main = List.copyOf(main);
	}

	/**
	 * Build the worker's command line.
	 * @param masterCommandLine the master's argv (from {@code /proc/self/cmdline})
	 * @param javaExecutable the absolute path of the running java executable
	 * @param workerJvmOptions options for workers only
	 * @return the worker's command line: the java executable and JVM options, then the
	 * main class or jar and the arguments
	 */
	static WorkerCommandLine build(List<String> masterCommandLine, String javaExecutable,
			List<String> workerJvmOptions) {
		List<String> jvm = new ArrayList<>();
		jvm.add(javaExecutable);
		for (String option : masterJvmOptions(masterCommandLine)) {
			if (!isDebugAgent(option)) {
				jvm.add(option);
			}
		}
		jvm.add(ADD_OPENS);
		jvm.addAll(workerJvmOptions);
		return new WorkerCommandLine(jvm,
				masterCommandLine.subList(mainIndex(masterCommandLine), masterCommandLine.size()));
	}

	/**
	 * Return the master's JVM options: everything between the java executable and the main
	 * class or jar.
	 * @param masterCommandLine the master's argv
	 * @return its JVM options, argument files not expanded
	 */
	static List<String> masterJvmOptions(List<String> masterCommandLine) {
		return masterCommandLine.subList(Math.min(1, masterCommandLine.size()), mainIndex(masterCommandLine));
	}

	/**
	 * Return the whole command line.
	 * @return the argv
	 */
	List<String> argv() {
		return with(List.of());
	}

	/**
	 * Return the command line with more JVM options, after all others.
	 * @param jvmOptions the options to add
	 * @return the argv
	 */
	List<String> with(List<String> jvmOptions) {
		List<String> argv = new ArrayList<>(this.jvm);
		argv.addAll(jvmOptions);
		argv.addAll(this.main);
		return argv;
	}

	private static int mainIndex(List<String> commandLine) {
		int i = 1;
		while (i < commandLine.size()) {
			String token = commandLine.get(i);
			if (MAIN_MARKERS.contains(token) || token.startsWith("--module=")
					|| !(token.startsWith("-") || token.startsWith("@"))) {
				return i;
			}
			i += OPTIONS_WITH_ARGUMENT.contains(token) ? 2 : 1;
		}
		return commandLine.size();
	}

	/**
	 * Return JVM options from an environment variable such as {@code JAVA_TOOL_OPTIONS}
	 * without debugger agents, which workers would otherwise inherit with the environment.
	 * @param options the variable's value
	 * @return the options left, separated by single spaces
	 */
	static String withoutDebugAgents(String options) {
		return Arrays.stream(options.trim().split("\\s+"))
			.filter((option) -> !isDebugAgent(option))
			.collect(Collectors.joining(" "));
	}

	static boolean isDebugAgent(String option) {
		return option.startsWith("-agentlib:jdwp") || option.startsWith("-Xrunjdwp") || option.equals("-Xdebug");
	}

}
