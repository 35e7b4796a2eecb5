package io.prefork.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the container tests need of the machine: root, working commands, process states.
 */
final class Containers {

	private Containers() {
	}

	static boolean isRoot() {
		try {
			String status = Files.readString(Path.of("/proc/self/status"));
			return status.lines().anyMatch((line) -> line.matches("Uid:\\s+0\\s.*"));
		}
		catch (IOException ex) {
			return false;
		}
	}

	/**
	 * Whether a command runs and exits 0 within 30 seconds.
	 * @param command the command
	 * @return {@code true} if it did
	 */
	static boolean runs(String... command) {
		try {
			Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.start();
			if (!process.waitFor(30, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				return false;
			}
			return process.exitValue() == 0;
		}
		catch (IOException ex) {
			return false;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	/**
	 * Whether a process has exited but is not reaped yet.
	 * @param pid the process
	 * @return {@code true} for a zombie
	 */
	static boolean isZombie(long pid) {
		try {
			String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
			return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
		}
		catch (IOException ex) {
			return false;
		}
	}

}
