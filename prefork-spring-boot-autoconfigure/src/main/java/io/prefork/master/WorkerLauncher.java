package io.prefork.master;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

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


	private final WorkerCommandLine commandLine;

	private final ClassDataSharing classData;

	private final List<String> environment;

	WorkerLauncher(WorkerCommandLine commandLine, ClassDataSharing classData) {
		this.commandLine = commandLine;
		this.classData = classData;
		this.environment = new ArrayList<>();
		List<String> masterOnly = LeanMaster.masterOnlyVariables();
		for (Map.Entry<String, String> variable : System.getenv().entrySet()) {
			if (!variable.getKey().equals(WorkerIdentity.ENVIRONMENT_VARIABLE)
					&& !masterOnly.contains(variable.getKey())) {
				this.environment.add(variable.getKey() + "=" + variable.getValue());
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
		List<String> own = ownCommandLine();
		List<String> inherited = inheritedJvmOptions(own);
		List<String> workerOptions = WorkerJvmOptions.of(settings.worker(), inherited);
		WorkerCommandLine commandLine = WorkerCommandLine.build(own, java, workerOptions);
		return new WorkerLauncher(commandLine, ClassDataSharing.create(settings.worker().cds(), commandLine, inherited,
				System.getProperty("java.class.path", "")));
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
		int pid = ProcessSpawner.spawn(argv(), environment, controlFd, listenerFd);
		this.classData.trainIfNeeded(this.environment);
		return pid;
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
