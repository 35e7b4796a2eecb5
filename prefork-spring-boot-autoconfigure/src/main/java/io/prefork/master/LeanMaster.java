package io.prefork.master;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.prefork.PreforkException;
import io.prefork.PreforkSettings;
import io.prefork.posix.JvmSignals;
import io.prefork.posix.PosixException;
import io.prefork.posix.ProcessImage;

/**
 * Turns the master into a small JVM: once the environment is prepared, the process
 * re-executes itself ({@code execve}: the same pid, so signals, pid files, systemd and a
 * container's PID 1 see no difference) with its own command line plus
 * {@link MasterJvmOptions}, and with HotSpot's suspend/resume signal moved off SIGUSR2. The
 * options it added are counted in an environment variable, which also makes it happen once,
 * and are taken out again of the command line workers get.
 */
public final class LeanMaster {

	/**
	 * Set in a re-executed master: how many JVM options the re-execution added, just before
	 * the main class or {@code -jar}, then the names of the variables it added for the
	 * master only, separated by spaces (e.g. {@code 6 MALLOC_ARENA_MAX}).
	 */
	public static final String ENVIRONMENT_VARIABLE = "PREFORK_LEAN_MASTER";

	/**
	 * glibc's limit on malloc arenas: by default up to 8 per core, each keeping the memory
	 * its threads freed; two are plenty for a master that runs one loop.
	 */
	private static final String MALLOC_ARENA_MAX = "MALLOC_ARENA_MAX";

	private static final String CMDLINE = "/proc/self/cmdline";

	private LeanMaster() {
	}

	/**
	 * Re-execute this JVM as a lean master, unless that cannot be right. Returns only if it
	 * did not happen.
	 * @param settings whether to, and the user's extra options
	 * @return why the JVM was not re-executed
	 */
	public static String reexecute(PreforkSettings.MasterJvm settings) {
		String obstacle = obstacle(settings);
		if (obstacle != null) {
			return obstacle;
		}
		List<String> commandLine = readCommandLine().get();
		List<String> given = WorkerLauncher.inheritedJvmOptions(commandLine);
		if (given.stream().anyMatch(WorkerCommandLine::isDebugAgent)) {
			return "a debugger agent (JDWP) is attached, and a new JVM would lose its connection";
		}
		List<String> added = new ArrayList<>(MasterJvmOptions.of(given, settings.jvmOptions(),
				NativeHeapTrim.isSupported()));
		List<String> all = new ArrayList<>(given);
		all.addAll(settings.jvmOptions());
		added.addAll(NativeAccessOptions.forThisJdk(all));
		if (added.isEmpty() && JvmSignals.isSigusr2Free()) {
			return "the master's command line already sets every lean option";
		}
		String java = ProcessHandle.current().info().command().orElse(null);
		if (java == null) {
			return "the path of the running java executable is unknown";
		}
		return execute(java, insert(commandLine, added), environment(added.size()));
	}

	/**
	 * Return the JVM options the re-execution added to this master's command line.
	 * @return the options, empty if this JVM was not re-executed
	 */
	public static List<String> addedOptions() {
		List<String> commandLine = readCommandLine().orElse(List.of());
		int end = 1 + WorkerCommandLine.masterJvmOptions(commandLine).size();
		return commandLine.subList(Math.max(1, end - addedCount()), Math.max(1, end));
	}

	/**
	 * Return the command line this JVM was started with, before any re-execution added
	 * options, for workers.
	 * @return the argv, or empty if {@code /proc/self/cmdline} cannot be read
	 */
	static Optional<List<String>> originalCommandLine() {
		return readCommandLine().map((commandLine) -> withoutAddedOptions(commandLine, addedCount()));
	}

	static List<String> withoutAddedOptions(List<String> commandLine, int count) {
		if (count == 0) {
			return commandLine;
		}
		int end = 1 + WorkerCommandLine.masterJvmOptions(commandLine).size();
		List<String> original = new ArrayList<>(commandLine.subList(0, end - count));
		original.addAll(commandLine.subList(end, commandLine.size()));
		return original;
	}

	static List<String> insert(List<String> commandLine, List<String> options) {
		int end = 1 + WorkerCommandLine.masterJvmOptions(commandLine).size();
		List<String> argv = new ArrayList<>(commandLine.subList(0, end));
		argv.addAll(options);
		argv.addAll(commandLine.subList(end, commandLine.size()));
		return argv;
	}

	private static String obstacle(PreforkSettings.MasterJvm settings) {
		if (!settings.lean()) {
			return "server.prefork.master.lean is false";
		}
		if (System.getenv(ENVIRONMENT_VARIABLE) != null) {
			return "it is the lean master already";
		}
		String vm = System.getProperty("java.vm.name", "");
		if (System.getProperty("org.graalvm.nativeimage.imagecode") != null
				|| !(vm.contains("HotSpot") || vm.contains("OpenJDK"))) {
			return "the options are for HotSpot, and this JVM is " + vm;
		}
		if (readCommandLine().isEmpty()) {
			return CMDLINE + " cannot be read";
		}
		return null;
	}

	private static List<String> environment(int addedCount) {
		List<String> environment = new ArrayList<>();
		for (Map.Entry<String, String> variable : System.getenv().entrySet()) {
			environment.add(variable.getKey() + "=" + variable.getValue());
		}
		String marker = ENVIRONMENT_VARIABLE + "=" + addedCount;
		if (System.getenv(MALLOC_ARENA_MAX) == null) {
			environment.add(MALLOC_ARENA_MAX + "=2");
			marker += " " + MALLOC_ARENA_MAX;
		}
		environment.add(marker);
		if (System.getenv(JvmSignals.SUSPEND_RESUME_VARIABLE) == null) {
			environment.add(JvmSignals.SUSPEND_RESUME_VARIABLE + "=" + JvmSignals.SUSPEND_RESUME_SIGNAL);
		}
		return environment;
	}

	// Output a java.io stream still buffers would be lost with the old program.
	private static String execute(String java, List<String> argv, List<String> environment) {
		System.out.flush();
		System.err.flush();
		// This JVM's last native calls need no speed: jffi's JNI memory access spares JDK 24+
		// users the warning about sun.misc.Unsafe (the new JVM is granted it).
		System.setProperty("jffi.unsafe.disabled", "true");
		try {
			ProcessImage.replace(java, argv, environment, LeanMaster::handedIn);
			throw new IllegalStateException("execve returned");
		}
		catch (PosixException ex) {
			return "it could not execute " + java + ": " + ex.getMessage();
		}
	}

	// What systemd or the old master of an upgrade passed (sockets from fd 3, the readiness
	// pipe) must survive.
	private static boolean handedIn(int fd) {
		Map<String, String> environment = System.getenv();
		long parent = UpgradeHandover.parentPid();
		try {
			return SocketActivation.of(environment, ProcessHandle.current().pid(), parent).names().containsKey(fd)
					|| UpgradeHandover.of(environment, parent).readyFd() == fd;
		}
		catch (PreforkException ex) {
			// Reported by the re-executed master, which reads the same variables.
			return false;
		}
	}

	/**
	 * Return the environment variables that are this master's own and not for workers.
	 * @return the marker and the variables the re-execution added
	 */
	static List<String> masterOnlyVariables() {
		List<String> names = new ArrayList<>(List.of(ENVIRONMENT_VARIABLE));
		names.addAll(marker().subList(1, marker().size()));
		return names;
	}

	private static int addedCount() {
		try {
			return Math.max(0, Integer.parseInt(marker().get(0)));
		}
		catch (NumberFormatException ex) {
			return 0;
		}
	}

	private static List<String> marker() {
		return Arrays.asList(System.getenv().getOrDefault(ENVIRONMENT_VARIABLE, "0").trim().split("\\s+"));
	}

	// /proc/self/cmdline keeps arguments with spaces and @argfiles as given, and is never
	// truncated (unlike ProcessHandle.Info.arguments()).
	private static Optional<List<String>> readCommandLine() {
		try {
			String raw = new String(Files.readAllBytes(Path.of(CMDLINE)), StandardCharsets.UTF_8);
			return raw.isEmpty() ? Optional.empty() : Optional.of(Arrays.asList(raw.split("\0")));
		}
		catch (IOException ex) {
			return Optional.empty();
		}
	}

}
