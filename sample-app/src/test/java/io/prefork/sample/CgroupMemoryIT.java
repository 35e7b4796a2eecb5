package io.prefork.sample;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The sample with 4 workers in a control group with a 1 GiB memory limit, as in a pod: the
 * master's plan fits the limit, and a worker that leaks is the only process to go. Needs
 * root and a writable cgroup memory controller (v2, else v1); CI runs as root.
 */
class CgroupMemoryIT {

	private static final long GIB = 1L << 30;

	private static final Pattern PLAN = Pattern.compile(
			"Memory plan: 4 workers x (\\d+) MB heap, master (\\d+) MB heap, (\\d+) MB beyond heap per JVM, in a 1 GiB limit");

	private Cgroup cgroup;

	@BeforeEach
	void createCgroup() throws IOException {
		assumeTrue(Containers.isRoot(), "Skipped: needs root to create a cgroup (CI runs as root)");
		this.cgroup = Cgroup.create("prefork-it-" + UUID.randomUUID().toString().substring(0, 8), GIB);
		assumeTrue(this.cgroup != null, "Skipped: no writable cgroup memory controller (v2 at /sys/fs/cgroup with "
				+ "'memory' in cgroup.controllers, or v1 at /sys/fs/cgroup/memory)");
	}

	@AfterEach
	void removeCgroup() {
		if (this.cgroup != null) {
			this.cgroup.remove();
		}
	}

	@Test
	void fourWorkersFitAndALeakingWorkerGoesAlone() throws Exception {
		// The wrapper moves itself into the cgroup, then becomes the master: every worker
		// is born inside.
		List<String> wrapper = List.of("sh", "-c", "echo $$ > " + this.cgroup.procs() + " && exec \"$@\"", "sh");
		try (PreforkServer server = PreforkServer.startWrapped(wrapper, List.of("-Xmx48m"),
				"--server.prefork.workers=4", "--server.prefork.worker.jvm-options=-XX:TieredStopAtLevel=1")) {
			Matcher plan = PLAN.matcher(server.output());
			assertThat(plan.find()).as("the plan in the log:\n" + server.output()).isTrue();
			long workerHeap = Long.parseLong(plan.group(1));
			long masterHeap = Long.parseLong(plan.group(2));
			long nonHeap = Long.parseLong(plan.group(3));
			assertThat(masterHeap).isEqualTo(48);
			assertThat(masterHeap + 4 * workerHeap + 5 * nonHeap).as("the plan's total, MB").isLessThanOrEqualTo(1024);
			server.awaitWorkersReady(4);
			Set<Long> workers = server.workerPids();
			assertThat(workers).hasSize(4);
			for (long pid : workers) {
				assertThat(commandLine(pid)).contains("-Xmx" + (workerHeap * 1024) + "k", "-XX:+ExitOnOutOfMemoryError");
			}
			System.out.printf("cgroup %s: 4 workers x %d MB heap; tree uses %d MB after start%n", this.cgroup.path(),
					workerHeap, this.cgroup.usageBytes() >> 20);

			long leaker = leakUntilTheWorkerDies(server.port());
			server.awaitTrue("the leaking worker replaced", PreforkServer.STARTUP,
					() -> server.countInOutput(" ready in ") >= 5 && server.workerPids().size() == 4);
			assertThat(server.process().isAlive()).as("the master").isTrue();
			Set<Long> neighbours = workers.stream().filter((pid) -> pid != leaker).collect(Collectors.toSet());
			assertThat(server.workerPids()).as("the neighbours still serve").containsAll(neighbours)
				.doesNotContain(leaker);
			// The JVM's own exit on OutOfMemoryError, or the kernel's OOM killer if it came first.
			assertThat(server.output()).containsPattern("pid " + leaker
					+ " (exited with code 3 \\(out of heap memory\\) .*\\(out-of-memory\\)|killed by signal 9 .*\\(killed\\))");
			assertThat(RawHttp.getOnce(server.port(), "/hello").status()).isEqualTo(200);
			System.out.printf("cgroup peak %d MB of 1024; %s%n", this.cgroup.peakBytes() >> 20,
					server.output().lines().filter((line) -> line.contains("pid " + leaker + " ")).reduce((a, b) -> b)
						.orElse(""));
		}
	}

	// Keep-alive: every request of one connection goes to the same worker.
	private static long leakUntilTheWorkerDies(int port) throws IOException {
		try (RawHttp http = new RawHttp(port)) {
			long pid = http.get("/hello", false).pid();
			for (int i = 0; i < 100; i++) {
				try {
					RawHttp.Response response = http.get("/leak?mb=16", false);
					if (response.status() != 200) {
						return pid;
					}
				}
				catch (IOException ex) {
					return pid;
				}
			}
			throw new AssertionError("worker " + pid + " took 1.6 GB of leaks and lives");
		}
	}

	private static String commandLine(long pid) throws IOException {
		return new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8)
			.replace('\0', ' ');
	}

	/**
	 * A control group with a memory limit, v2 or v1.
	 */
	private record Cgroup(Path path, String limitFile, String usageFile, String peakFile) {

		static Cgroup create(String name, long limit) {
			Path v2 = Path.of("/sys/fs/cgroup");
			Cgroup cgroup = null;
			if (read(v2.resolve("cgroup.controllers")).contains("memory")) {
				write(v2.resolve("cgroup.subtree_control"), "+memory");
				cgroup = new Cgroup(v2.resolve(name), "memory.max", "memory.current", "memory.peak");
			}
			else if (Files.isRegularFile(Path.of("/sys/fs/cgroup/memory/memory.limit_in_bytes"))) {
				cgroup = new Cgroup(Path.of("/sys/fs/cgroup/memory", name), "memory.limit_in_bytes",
						"memory.usage_in_bytes", "memory.max_usage_in_bytes");
			}
			if (cgroup == null) {
				return null;
			}
			try {
				Files.createDirectory(cgroup.path());
				Files.writeString(cgroup.path().resolve(cgroup.limitFile()), Long.toString(limit));
				return cgroup;
			}
			catch (IOException ex) {
				cgroup.remove();
				return null;
			}
		}

		Path procs() {
			return this.path.resolve("cgroup.procs");
		}

		long usageBytes() {
			return number(this.usageFile);
		}

		long peakBytes() {
			return number(this.peakFile);
		}

		private long number(String file) {
			String value = read(this.path.resolve(file)).trim();
			return value.isEmpty() ? -1 : Long.parseLong(value);
		}

		// A cgroup can be removed once its last process has gone, which takes the kernel a
		// moment after the processes are reaped.
		void remove() {
			long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
			while (Files.exists(this.path)) {
				try {
					Files.delete(this.path);
				}
				catch (IOException ex) {
					if (System.nanoTime() - deadline > 0) {
						throw new AssertionError("cannot remove " + this.path + ": " + ex, ex);
					}
					Thread.onSpinWait();
				}
			}
		}

		private static String read(Path file) {
			try {
				return Files.readString(file);
			}
			catch (IOException ex) {
				return "";
			}
		}

		private static void write(Path file, String content) {
			try {
				Files.writeString(file, content);
			}
			catch (IOException ex) {
				// Already on, or not allowed: creating the group will tell.
			}
		}

	}

}
