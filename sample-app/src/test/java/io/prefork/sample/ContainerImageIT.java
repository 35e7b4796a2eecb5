package io.prefork.sample;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What {@code deploy/container/Dockerfile} does, without a container runtime (none works on
 * the build machines, see the README): extract the jar in layers and merge them, train the
 * class-data archive with {@code train-class-data.sh} and the image's entrypoint, then run the
 * master as PID 1 of a new PID namespace with the archive directory mounted read-only: workers
 * start from the archive, nothing tries to write it, and the container answers {@code /hello}
 * and its readiness probe. Needs root for the namespaces and the read-only bind mount.
 */
class ContainerImageIT {

	private static final Pattern MANAGEMENT_PORT = Pattern.compile("management port \\S+:(\\d+) with");

	// Workers of the test run and of the training run must get the same JVM options.
	private static final String WORKER_JVM = "--server.prefork.worker.jvm-options=-XX:TieredStopAtLevel=1";

	private static Path temp;

	@BeforeAll
	static void buildTheImageTree() throws Exception {
		assumeTrue(Containers.isRoot(), "Skipped: needs root for a PID namespace and a read-only bind mount "
				+ "(CI runs as root)");
		assumeTrue(Containers.runs("unshare", "--fork", "--pid", "--mount-proc", "true"),
				"Skipped: 'unshare --fork --pid --mount-proc true' does not work here");
		temp = Files.createTempDirectory("prefork-image-");
		Path extracted = temp.resolve("extracted");
		run(temp.resolve("extract.log"), PreforkServer.javaExecutable(), "-Djarmode=tools", "-jar",
				PreforkServer.sampleJar(), "extract", "--layers", "--destination", extracted.toString());
		Path app = temp.resolve("app");
		for (String layer : List.of("dependencies", "spring-boot-loader", "snapshot-dependencies", "application")) {
			copyTree(extracted.resolve(layer), app);
		}
		try (Stream<Path> jars = Files.list(app)) {
			Path jar = jars.filter((path) -> path.toString().endsWith(".jar")).findFirst().orElseThrow();
			Files.move(jar, app.resolve("application.jar"));
		}
		Files.createDirectory(temp.resolve("cds"), PosixFilePermissions.asFileAttribute(
				PosixFilePermissions.fromString("rwx------")));
		List<String> train = new ArrayList<>(List.of(Path.of("../deploy/container/train-class-data.sh")
			.toAbsolutePath().normalize().toString(), PreforkServer.javaExecutable()));
		train.addAll(PreforkServer.MASTER_JVM);
		train.addAll(KubernetesManifestsIT.entrypointJvmOptions());
		train.addAll(List.of("-jar", app.resolve("application.jar").toString(), cdsDirectory(), WORKER_JVM));
		String log = run(temp.resolve("train.log"), train.toArray(String[]::new));
		System.out.println("image build: " + log.lines().filter((line) -> line.contains("Class-data archive"))
			.findFirst().orElse(log));
	}

	@AfterAll
	static void removeTheImageTree() throws IOException {
		if (temp != null) {
			try (Stream<Path> paths = Files.walk(temp)) {
				paths.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
			}
		}
	}

	@Test
	void theContainerStartsWorkersFromTheReadOnlyArchiveAndAnswers() throws Exception {
		String cds = temp.resolve("cds").toString();
		List<String> container = List.of("unshare", "--fork", "--pid", "--mount-proc", "--kill-child", "sh", "-c",
				"mount --bind \"$0\" \"$0\" && mount -o remount,bind,ro \"$0\" && exec \"$@\"", cds);
		try (PreforkServer server = PreforkServer.startWrapped(temp.resolve("app/application.jar"), container,
				KubernetesManifestsIT.entrypointJvmOptions(), cdsDirectory(), WORKER_JVM,
				"--server.prefork.worker.cds.enabled=true", "--management.server.port=0",
				"--management.endpoint.health.probes.enabled=true",
				"--management.endpoint.health.group.readiness.include=readinessState,prefork")) {
			server.awaitWorkersReady(2);
			assertThat(server.output()).contains("Workers start from the class-data archive " + cds)
				.doesNotContain("Training a class-data archive")
				.doesNotContainPattern("WARN .*[Cc]lass-data");
			long master = server.process().toHandle().children().findFirst().orElseThrow().pid();
			for (ProcessHandle worker : ProcessHandle.of(master).orElseThrow().children().toList()) {
				String commandLine = new String(Files.readAllBytes(Path.of("/proc/" + worker.pid() + "/cmdline")),
						StandardCharsets.UTF_8);
				assertThat(commandLine).contains("-XX:SharedArchiveFile=" + cds);
			}
			assertThat(RawHttp.getOnce(server.port(), "/hello").status()).isEqualTo(200);
			Matcher management = MANAGEMENT_PORT.matcher(server.output());
			assertThat(management.find()).isTrue();
			assertThat(RawHttp.getOnce(Integer.parseInt(management.group(1)), "/actuator/health/readiness").status())
				.isEqualTo(200);
			// What the container runtime does on stop: SIGTERM to PID 1 (unshare passes nothing on).
			Process stop = new ProcessBuilder("kill", "-TERM", Long.toString(master)).inheritIO().start();
			assertThat(stop.waitFor()).isZero();
			assertThat(server.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
			assertThat(server.process().exitValue()).isZero();
		}
	}

	private static String cdsDirectory() {
		return "--server.prefork.worker.cds.directory=" + temp.resolve("cds");
	}

	private static String run(Path log, String... command) throws IOException, InterruptedException {
		Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
		if (!process.waitFor(10, TimeUnit.MINUTES)) {
			process.destroyForcibly();
		}
		String output = Files.readString(log);
		assertThat(process.exitValue()).as(String.join(" ", command) + ":\n" + output).isZero();
		return output;
	}

	private static void copyTree(Path from, Path to) throws IOException {
		try (Stream<Path> paths = Files.walk(from)) {
			for (Path path : paths.toList()) {
				Path target = to.resolve(from.relativize(path).toString());
				if (Files.isDirectory(path)) {
					Files.createDirectories(target);
				}
				else {
					Files.copy(path, target, StandardCopyOption.COPY_ATTRIBUTES);
				}
			}
		}
	}

}
