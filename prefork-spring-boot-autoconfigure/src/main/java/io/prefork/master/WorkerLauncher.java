package io.prefork.master;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.prefork.InvalidPropertyException;
import io.prefork.PreforkException;
import io.prefork.PreforkSettings;
import io.prefork.posix.JvmSignals;
import io.prefork.posix.PosixException;
import io.prefork.posix.ProcessSpawner;
import io.prefork.protocol.WorkerIdentity;

/**
 * Starts worker processes with the master's own command line and environment plus the
 * worker's identity, and the class-data sharing that makes them start faster.
 */
class WorkerLauncher {

	private static final Log logger = LogFactory.getLog(WorkerLauncher.class);

	/**
	 * Variables meant for the master only: the worker identity it sets itself, the service
	 * manager's (socket activation, readiness) and an upgrade's, which a worker would
	 * otherwise take as its own.
	 */
	private static final Set<String> NOT_INHERITED = Stream
		.concat(Stream.of(WorkerIdentity.ENVIRONMENT_VARIABLE, ServiceManager.NOTIFY_SOCKET,
				UpgradeHandover.ENVIRONMENT_VARIABLE),
				SocketActivation.VARIABLES.stream())
		.collect(Collectors.toUnmodifiableSet());

	/**
	 * Variables the JVM or its launcher reads options from: a debugger agent in them is the
	 * master's (workers on the same JDWP address would die), as on its command line.
	 */
	private static final Set<String> JVM_OPTION_VARIABLES = Set.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS",
			"_JAVA_OPTIONS");

	private final WorkerCommandLine commandLine;

	private final ClassDataSharing classData;

	private final WorkerCredentials credentials;

	private final List<String> environment;

	WorkerLauncher(WorkerCommandLine commandLine, ClassDataSharing classData) {
		this(commandLine, classData, WorkerCredentials.MASTER);
	}

	WorkerLauncher(WorkerCommandLine commandLine, ClassDataSharing classData, WorkerCredentials credentials) {
		this.commandLine = commandLine;
		this.classData = classData;
		this.credentials = credentials;
		this.environment = new ArrayList<>();
		List<String> masterOnly = LeanMaster.masterOnlyVariables();
		for (Map.Entry<String, String> variable : System.getenv().entrySet()) {
			String value = variable.getValue();
			if (JVM_OPTION_VARIABLES.contains(variable.getKey())) {
				value = WorkerCommandLine.withoutDebugAgents(value);
			}
			if (!NOT_INHERITED.contains(variable.getKey()) && !masterOnly.contains(variable.getKey())
					&& !value.isEmpty()) {
				this.environment.add(variable.getKey() + "=" + value);
			}
		}
		// SIGUSR2 free in workers too, whether or not the master was re-executed.
		if (System.getenv(JvmSignals.SUSPEND_RESUME_VARIABLE) == null) {
			this.environment.add(JvmSignals.SUSPEND_RESUME_VARIABLE + "=" + JvmSignals.SUSPEND_RESUME_SIGNAL);
		}
	}

	/**
	 * Create a launcher that re-runs this JVM's command line.
	 * @param settings the settings, with the options for workers only
	 * @return the launcher
	 */
	static WorkerLauncher ofThisProcess(PreforkSettings settings) {
		String java = ProcessHandle.current().info().command()
			.orElseThrow(() -> new PreforkException("Cannot find the path of the running java executable.",
					"Run the application on Linux with a JDK that reports its command (ProcessHandle.Info).", null));
		WorkerCredentials credentials = WorkerCredentials.of(settings.runAs());
		String classPath = System.getProperty("java.class.path", "");
		checkWorkerAccess(credentials, settings.runAs(), java, classPath);
		List<String> own = ownCommandLine();
		List<String> inherited = inheritedJvmOptions(own);
		List<String> given = new ArrayList<>(inherited);
		given.addAll(settings.worker().jvmOptions());
		List<String> workerOptions = new ArrayList<>(NativeAccessOptions.forThisJdk(given));
		workerOptions.addAll(WorkerJvmOptions.of(ContainerSizing.forThisProcess(settings), inherited,
				NativeHeapTrim.isSupported()));
		WorkerCommandLine commandLine = WorkerCommandLine.build(own, java, workerOptions);
		return new WorkerLauncher(commandLine,
				ClassDataSharing.create(settings.worker().cds(), settings.worker().warmup(), commandLine, inherited,
						classPath, credentials),
				credentials);
	}

	// Before any worker starts: one that cannot read the application would fail to boot
	// over and over with a less helpful message. Relative paths resolve in the working
	// directory the workers inherit.
	private static void checkWorkerAccess(WorkerCredentials credentials, PreforkSettings.RunAs runAs,
			String javaExecutable, String classPath) {
		List<String> checks = new ArrayList<>(List.of("x:" + javaExecutable, "x:."));
		for (String entry : classPath.split(File.pathSeparator)) {
			if (!entry.isEmpty()) {
				checks.add("r:" + entry);
			}
		}
		List<String> failed = credentials.failedChecks(checks);
		if (!failed.isEmpty()) {
			throw new InvalidPropertyException("server.prefork.user", runAs.user(),
					"must be able to run the application, but " + credentials + " cannot "
							+ failed.stream().map(WorkerLauncher::describeCheck).collect(Collectors.joining(", "))
							+ "; make the application readable by that user (e.g. install it under /opt with mode "
							+ "0755/0644), or choose another user");
		}
		if (credentials.dropsPrivileges()) {
			logger.info("Workers run as " + credentials + "; the master stays root to accept and pass connections, "
					+ "start, signal and reap workers, and manage the scoreboard and class-data cache");
		}
	}

	private static String describeCheck(String check) {
		String path = check.substring(2);
		return switch (check.charAt(0)) {
			case 'x' -> (path.equals(".") ? "enter the working directory" : "execute " + path);
			case 'w' -> "write " + path;
			default -> "read " + path;
		};
	}

	/**
	 * Return who workers run as.
	 * @return the credentials
	 */
	WorkerCredentials credentials() {
		return this.credentials;
	}

	// The command line as started: a lean master's own options are not for workers.
	private static List<String> ownCommandLine() {
		return LeanMaster.originalCommandLine()
			.orElseThrow(() -> new PreforkException("Cannot read /proc/self/cmdline to start workers.",
					"Run the prefork server on Linux with /proc mounted.", null));
	}

	// What workers get anyway: the master's JVM options (argument files read, roughly: only
	// to see which options are set) and those the java launcher and the JVM take from the
	// environment.
	static List<String> inheritedJvmOptions(List<String> commandLine) {
		List<String> options = new ArrayList<>();
		for (String option : WorkerCommandLine.masterJvmOptions(commandLine)) {
			options.addAll(option.startsWith("@") ? argumentFile(option.substring(1)) : List.of(option));
		}
		for (String variable : List.of("JDK_JAVA_OPTIONS", "JAVA_TOOL_OPTIONS")) {
			String value = System.getenv(variable);
			if (value != null && !value.isBlank()) {
				options.addAll(Arrays.asList(value.trim().split("\\s+")));
			}
		}
		return options;
	}

	private static List<String> argumentFile(String file) {
		try {
			String content = Files.readString(Path.of(file));
			return content.isBlank() ? List.of() : Arrays.asList(content.trim().split("\\s+"));
		}
		catch (IOException ex) {
			return List.of();
		}
	}

	/**
	 * Return the worker command line, as the next worker gets it.
	 * @return the argv
	 */
	List<String> argv() {
		return this.commandLine.with(this.classData.workerOptions());
	}

	/**
	 * Spawn a worker (and, with the first one, the training run of a class-data archive).
	 * @param identity its identity
	 * @param controlFd the master's fd of the worker's end of the control socketpair
	 * @param listenerFd the listening socket for the worker's stdin, or {@code -1}
	 * @return the pid
	 * @throws PosixException if it cannot be spawned
	 */
	int spawn(WorkerIdentity identity, int controlFd, int listenerFd) throws PosixException {
		List<String> environment = new ArrayList<>(this.environment);
		environment.add(WorkerIdentity.ENVIRONMENT_VARIABLE + "=" + identity.encode());
		int pid = ProcessSpawner.spawn(this.credentials.wrap(argv()), environment, controlFd, listenerFd);
		this.classData.workerSpawned(this.environment);
		return pid;
	}

	/**
	 * Start what the launcher's helpers have due, such as the retry of a failed class-data
	 * training run; called every turn of the master loop while it runs a pool.
	 * @param now the current {@link System#nanoTime()}
	 * @param workersStarting workers that are booting, which a helper must not slow down
	 */
	void maintain(long now, int workersStarting) {
		this.classData.maintain(now, workersStarting, this.environment);
	}

	/**
	 * Take a reaped child that is not a worker, if it is one of the launcher's helpers.
	 * @param pid the child
	 * @param waitStatus its raw wait status
	 * @return {@code true} if it was a helper
	 */
	boolean reaped(int pid, int waitStatus) {
		return this.classData.reaped(pid, waitStatus, this.environment);
	}

	/**
	 * Stop the launcher's helpers, if any still run.
	 */
	void close() {
		this.classData.close();
	}

}
