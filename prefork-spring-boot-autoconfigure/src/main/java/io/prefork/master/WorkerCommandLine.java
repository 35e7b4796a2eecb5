package io.prefork.master;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Builds a worker's command line from the master's own: the same java executable, JVM
 * options, {@code -jar} or class path, main class and arguments (so {@code java -jar},
 * {@code mvn spring-boot:run}'s forked JVM and IDE launches all work), with the worker's
 * JVM options placed just before the main class or {@code -jar} so they win over the
 * master's, and debugger agents removed (a second JVM on the same JDWP port dies).
 */
final class WorkerCommandLine {

	/** Lets a worker turn a passed fd into a JDK {@code SocketChannel}. */
	static final String ADD_OPENS = "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED";

	private static final Set<String> OPTIONS_WITH_ARGUMENT = Set.of("-cp", "-classpath", "--class-path", "-p",
			"--module-path", "--upgrade-module-path", "--add-modules", "--add-opens", "--add-exports", "--add-reads",
			"--patch-module", "--limit-modules", "--enable-native-access", "--source");

	private static final Set<String> MAIN_MARKERS = Set.of("-jar", "-m", "--module");

	private WorkerCommandLine() {
	}

	/**
	 * Build the worker's command line.
	 * @param masterCommandLine the master's argv (from {@code /proc/self/cmdline})
	 * @param javaExecutable the absolute path of the running java executable
	 * @param workerJvmOptions options for workers only
	 * @return the worker's argv
	 */
	static List<String> build(List<String> masterCommandLine, String javaExecutable, List<String> workerJvmOptions) {
		List<String> argv = new ArrayList<>();
		argv.add(javaExecutable);
		int mainIndex = mainIndex(masterCommandLine);
		for (int i = 1; i < mainIndex; i++) {
			String option = masterCommandLine.get(i);
			if (!isDebugAgent(option)) {
				argv.add(option);
			}
		}
		argv.add(ADD_OPENS);
		argv.addAll(workerJvmOptions);
		argv.addAll(masterCommandLine.subList(mainIndex, masterCommandLine.size()));
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

	private static boolean isDebugAgent(String option) {
		return option.startsWith("-agentlib:jdwp") || option.startsWith("-Xrunjdwp") || option.equals("-Xdebug");
	}

}
