package io.prefork.master;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import io.prefork.PreforkException;
import io.prefork.PreforkSettings;
import io.prefork.posix.PosixException;
import io.prefork.posix.ProcessSpawner;
import io.prefork.protocol.WorkerIdentity;

/**
 * Starts worker processes with the master's own command line and environment plus the
 * worker's identity.
 */
class WorkerLauncher {

	private final List<String> argv;

	WorkerLauncher(List<String> argv) {
		this.argv = List.copyOf(argv);
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
		return new WorkerLauncher(WorkerCommandLine.build(ownCommandLine(), java, settings.worker().jvmOptions()));
	}

	// /proc/self/cmdline keeps arguments with spaces and @argfiles as given, and is never
	// truncated (unlike ProcessHandle.Info.arguments()).
	private static List<String> ownCommandLine() {
		try {
			String raw = new String(Files.readAllBytes(Path.of("/proc/self/cmdline")), StandardCharsets.UTF_8);
			return Arrays.asList(raw.split("\0"));
		}
		catch (IOException ex) {
			throw new PreforkException("Cannot read /proc/self/cmdline to start workers.",
					"Run the prefork server on Linux with /proc mounted.", ex);
		}
	}

	/**
	 * Return the worker command line.
	 * @return the argv
	 */
	List<String> argv() {
		return this.argv;
	}

	/**
	 * Spawn a worker.
	 * @param identity its identity
	 * @param controlFd the master's fd of the worker's end of the control socketpair
	 * @param listenerFd the listening socket for the worker's stdin, or {@code -1}
	 * @return the pid
	 * @throws PosixException if it cannot be spawned
	 */
	int spawn(WorkerIdentity identity, int controlFd, int listenerFd) throws PosixException {
		List<String> environment = new ArrayList<>();
		for (Map.Entry<String, String> variable : System.getenv().entrySet()) {
			if (!variable.getKey().equals(WorkerIdentity.ENVIRONMENT_VARIABLE)) {
				environment.add(variable.getKey() + "=" + variable.getValue());
			}
		}
		environment.add(WorkerIdentity.ENVIRONMENT_VARIABLE + "=" + identity.encode());
		return ProcessSpawner.spawn(this.argv, environment, controlFd, listenerFd);
	}

}
