package io.prefork.sample;

import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Starting JVMs must not starve serving ones of CPU: at the initial start, when crashed
 * workers are replaced and when the pool grows, no more than
 * {@code server.prefork.pool.max-starting} workers start at once. Read from the master's
 * log, which says when each worker is spawned and when it is ready or gone.
 */
class StaggeredStartIT {

	private static final Pattern EVENT = Pattern
		.compile("(Spawned worker \\d+ pid (\\d+))|(worker \\d+ pid (\\d+) (ready in|exited|killed))");

	@Test
	void noMoreThanMaxStartingWorkersStartAtOnce() throws Exception {
		try (PreforkServer server = PreforkServer.start("--server.prefork.workers=3",
				"--server.prefork.pool.max-starting=2", "--server.prefork.pool.max-workers=6")) {
			server.awaitWorkersReady(3);
			assertThat(mostStartingAtOnce(server.output())).as("initial start").isEqualTo(2);

			int mark = server.output().length();
			for (long pid : server.workerPids()) {
				ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
			}
			server.awaitWorkersReady(6);
			assertThat(mostStartingAtOnce(server.output().substring(mark))).as("replacing 3 crashed workers")
				.isEqualTo(2);

			mark = server.output().length();
			for (int size = 4; size <= 6; size++) {
				// One at a time: the kernel keeps one pending SIGTTIN, so two sent before the
				// master took the first would be one.
				server.signal("TTIN");
				String resized = "pool size " + (size - 1) + " -> " + size;
				server.awaitTrue("'" + resized + "' in the log", PreforkServer.STARTUP,
						() -> server.output().contains(resized));
			}
			server.awaitWorkersReady(9);
			assertThat(mostStartingAtOnce(server.output().substring(mark))).as("growing by 3 workers").isEqualTo(2);
		}
	}

	/** The most workers between "Spawned" and "ready" (or gone) at any point of the log. */
	private static int mostStartingAtOnce(String log) {
		Set<String> starting = new HashSet<>();
		int most = 0;
		Matcher event = EVENT.matcher(log);
		while (event.find()) {
			if (event.group(1) != null) {
				starting.add(event.group(2));
				most = Math.max(most, starting.size());
			}
			else {
				starting.remove(event.group(4));
			}
		}
		return most;
	}

}
