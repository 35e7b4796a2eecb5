package io.prefork.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The master as PID 1 of a new PID namespace, as in a container: it serves, replaces a killed
 * worker, reaps orphans reparented to it without complaint, and on SIGTERM drains and exits 0
 * leaving no process behind. Needs root (CI runs as root) and util-linux's unshare and
 * nsenter.
 */
class Pid1IT {

	// --kill-child: should the test (or unshare) die, the master gets SIGKILL, and the
	// kernel ends every other process of the namespace with its PID 1.
	private static final List<String> UNSHARE = List.of("unshare", "--fork", "--pid", "--mount-proc",
			"--kill-child");

	@BeforeAll
	static void needsRootAndUnshare() throws Exception {
		assumeTrue(Containers.isRoot(), "Skipped: needs root to create a PID namespace (CI runs as root)");
		assumeTrue(Containers.runs("unshare", "--fork", "--pid", "--mount-proc", "true"),
				"Skipped: 'unshare --fork --pid --mount-proc true' does not work here (util-linux missing or "
						+ "namespaces not permitted)");
		assumeTrue(Containers.runs("nsenter", "--version"), "Skipped: nsenter (util-linux) is missing");
	}

	@Test
	void servesReapsAndDrainsAsPid1() throws Exception {
		try (PreforkServer server = PreforkServer.startWrapped(UNSHARE, List.of())) {
			server.awaitWorkersReady(2);
			long master = masterPid(server);
			assertThat(namespacePid(master)).as("the master's pid in its namespace").isEqualTo(1);
			assertThat(RawHttp.getOnce(server.port(), "/hello").status()).isEqualTo(200);
			Set<Long> seen = new HashSet<>(children(master));

			long killed = seen.iterator().next();
			ProcessHandle.of(killed).ifPresent(ProcessHandle::destroyForcibly);
			server.awaitTrue("the killed worker reaped and replaced", PreforkServer.STARTUP,
					() -> notAChild(master, killed) && readyChildren(master, seen).size() == 2);
			server.awaitWorkersReady(3);

			// An orphan in the namespace: sh exits at once, its sleep is reparented to PID 1.
			Process orphanMaker = new ProcessBuilder("nsenter", "-t", Long.toString(master), "-p", "--", "sh", "-c",
					"sleep 1 & exit 0").inheritIO().start();
			assertThat(orphanMaker.waitFor(30, TimeUnit.SECONDS)).isTrue();
			server.awaitTrue("the orphan reparented to the master", Duration.ofSeconds(30),
					() -> children(master).stream().anyMatch((pid) -> command(pid).contains("sleep")));
			server.awaitTrue("the orphan reaped", Duration.ofSeconds(30),
					() -> children(master).stream().noneMatch((pid) -> command(pid).contains("sleep")));
			assertThat(server.output()).doesNotContain("Reaped unknown child");
			assertThat(RawHttp.getOnce(server.port(), "/hello").status()).isEqualTo(200);

			seen.addAll(children(master));
			Process kill = new ProcessBuilder("kill", "-TERM", Long.toString(master)).inheritIO().start();
			assertThat(kill.waitFor()).isZero();
			assertThat(server.process().waitFor(PreforkServer.STARTUP.toSeconds(), TimeUnit.SECONDS))
				.as("unshare ends with its PID 1").isTrue();
			assertThat(server.process().exitValue()).as("the master's exit code, passed on by unshare").isZero();
			assertThat(server.output()).contains("prefork master exiting with 0");
			seen.add(master);
			assertThat(seen.stream().filter((pid) -> ProcessHandle.of(pid).isPresent()).toList())
				.as("processes left of the namespace").isEmpty();
		}
	}

	private static long masterPid(PreforkServer server) {
		List<ProcessHandle> children = server.process().toHandle().children().toList();
		assertThat(children).as("unshare's one child, the master").hasSize(1);
		return children.get(0).pid();
	}

	// The last pid of NSpid in /proc/<pid>/status: the pid as the process's own namespace sees it.
	private static long namespacePid(long pid) throws IOException {
		String status = Files.readString(Path.of("/proc/" + pid + "/status"));
		String line = status.lines().filter((each) -> each.startsWith("NSpid:")).findFirst().orElseThrow();
		String[] fields = line.trim().split("\\s+");
		return Long.parseLong(fields[fields.length - 1]);
	}

	private static Set<Long> children(long pid) {
		return ProcessHandle.of(pid).map((handle) -> handle.children().map(ProcessHandle::pid)
			.collect(Collectors.toSet())).orElse(Set.of());
	}

	private static Set<Long> readyChildren(long master, Set<Long> seen) {
		Set<Long> children = children(master);
		seen.addAll(children);
		return children.stream().filter((pid) -> !Containers.isZombie(pid)).collect(Collectors.toSet());
	}

	private static boolean notAChild(long master, long pid) {
		return !children(master).contains(pid);
	}

	private static String command(long pid) {
		return ProcessHandle.of(pid).flatMap((handle) -> handle.info().command()).orElse("");
	}

}
