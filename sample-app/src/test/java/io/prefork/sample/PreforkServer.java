package io.prefork.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The packaged sample app started as a real prefork master (a separate process, because the
 * master ends its JVM with {@code System.exit}) on an ephemeral loopback port, with small
 * worker JVMs. Every process it started is gone after {@link #close()}, found by pid.
 */
final class PreforkServer implements AutoCloseable {

	static final Duration STARTUP = Duration.ofSeconds(180);

	private static final String SMALL_JVM = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k -Xmx128m";

	/** The master's own JVM options unless a test gives others. */
	static final List<String> MASTER_JVM = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx128m");

	private static final Pattern LISTENING = Pattern.compile("listening on \\S+:(\\d+) with");

	private static final Pattern PLAIN_TOMCAT = Pattern.compile("Tomcat started on port (\\d+)");

	private final Process process;

	private final Path log;

	private final List<ProcessHandle> started = new ArrayList<>();

	private int port;

	private PreforkServer(Process process, Path log) {
		this.process = process;
		this.log = log;
		this.started.add(process.toHandle());
	}

	/**
	 * Start the sample app with 2 small workers; an argument replaces the default of the same
	 * name, and a {@code -Dname=value} one is a system property of the master's JVM.
	 * @param arguments extra {@code --name=value} arguments
	 * @return the server, listening
	 */
	static PreforkServer start(String... arguments) throws IOException {
		PreforkServer server = startWithoutWaiting(arguments);
		server.port = server.awaitPort();
		return server;
	}

	/**
	 * Start the sample app like {@link #start(String...)} but return at once, for a master
	 * expected to refuse to start.
	 * @param arguments extra {@code --name=value} arguments
	 * @return the server, maybe already exiting
	 */
	static PreforkServer startWithoutWaiting(String... arguments) throws IOException {
		return startWithoutWaiting(Path.of(sampleJar()), arguments);
	}

	/**
	 * Start another build of the sample app, e.g. an extracted jar, like
	 * {@link #start(String...)}.
	 * @param jar the jar to run with {@code java -jar}
	 * @param arguments extra {@code --name=value} arguments
	 * @return the server, listening
	 */
	static PreforkServer start(Path jar, String... arguments) throws IOException {
		PreforkServer server = startWithoutWaiting(jar, arguments);
		server.port = server.awaitPort();
		return server;
	}

	/**
	 * Start another build of the sample app like {@link #startWithoutWaiting(String...)}.
	 * @param jar the jar to run with {@code java -jar}
	 * @param arguments extra {@code --name=value} arguments
	 * @return the server, maybe already exiting
	 */
	static PreforkServer startWithoutWaiting(Path jar, String... arguments) throws IOException {
		return startCommand(command(jar, MASTER_JVM, arguments));
	}

	/**
	 * Start the sample app like {@link #start(String...)} with these JVM options for the
	 * master instead of the small ones it gets otherwise.
	 * @param masterJvmOptions the master's JVM options, between {@code java} and {@code -jar}
	 * @param arguments extra {@code --name=value} arguments
	 * @return the server, listening
	 */
	static PreforkServer start(List<String> masterJvmOptions, String... arguments) throws IOException {
		PreforkServer server = startCommand(command(Path.of(sampleJar()), masterJvmOptions, arguments));
		server.port = server.awaitPort();
		return server;
	}

	/**
	 * Start the sample app like {@link #start(String...)} through a wrapper command, e.g.
	 * {@code unshare}, that ends by running the master's command line.
	 * @param wrapper the wrapper command and its arguments, before the master's command line
	 * @param masterJvmOptions JVM options for the master, after the default ones (so they win)
	 * @param arguments extra {@code --name=value} arguments
	 * @return the server, listening
	 */
	static PreforkServer startWrapped(List<String> wrapper, List<String> masterJvmOptions, String... arguments)
			throws IOException {
		return startWrapped(Path.of(sampleJar()), wrapper, masterJvmOptions, arguments);
	}

	/**
	 * Start another build of the sample app like
	 * {@link #startWrapped(List, List, String...)}.
	 * @param jar the jar to run with {@code java -jar}
	 * @param wrapper the wrapper command and its arguments, before the master's command line
	 * @param masterJvmOptions JVM options for the master, after the default ones (so they win)
	 * @param arguments extra {@code --name=value} arguments
	 * @return the server, listening
	 */
	static PreforkServer startWrapped(Path jar, List<String> wrapper, List<String> masterJvmOptions,
			String... arguments) throws IOException {
		List<String> command = new ArrayList<>(wrapper);
		List<String> master = new ArrayList<>(MASTER_JVM);
		master.addAll(masterJvmOptions);
		command.addAll(command(jar, master, arguments));
		PreforkServer server = startCommand(command);
		server.port = server.awaitPort();
		return server;
	}

	private static PreforkServer startCommand(List<String> command) throws IOException {
		Path log = Files.createTempFile("prefork-it-", ".log");
		Process process = new ProcessBuilder(command).redirectErrorStream(true)
			.redirectOutput(log.toFile())
			.start();
		return new PreforkServer(process, log);
	}

	// Class-data sharing is off unless a test turns it on: a training run would be one more
	// child JVM of the master, and a busy one.
	private static List<String> command(Path jar, List<String> masterJvmOptions, String... arguments) {
		Map<String, String> settings = new LinkedHashMap<>();
		for (String argument : List.of("--server.address=127.0.0.1", "--server.port=0", "--server.prefork.workers=2",
				"--server.prefork.worker.jvm-options=" + SMALL_JVM, "--server.prefork.worker.cds.enabled=false")) {
			settings.put(argument.substring(0, argument.indexOf('=')), argument);
		}
		for (String argument : arguments) {
			settings.put(argument.substring(0, argument.indexOf('=')), argument);
		}
		List<String> command = new ArrayList<>(List.of(javaExecutable()));
		command.addAll(masterJvmOptions);
		settings.values().stream().filter((argument) -> argument.startsWith("-D")).forEach(command::add);
		settings.values().removeIf((argument) -> argument.startsWith("-D"));
		if (Boolean.getBoolean("sample.aot")) {
			// The jar was built with the 'aot' profile: run it as Spring AOT applications run.
			command.add("-Dspring.aot.enabled=true");
		}
		command.addAll(List.of("-jar", jar.toString()));
		command.addAll(settings.values());
		return command;
	}

	static String javaExecutable() {
		return ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
	}

	static String sampleJar() {
		String jar = System.getProperty("sample.jar");
		if (jar == null || !Files.isRegularFile(Path.of(jar))) {
			throw new IllegalStateException("System property sample.jar must name the packaged sample app, was " + jar
					+ " (run the integration tests with 'mvn verify')");
		}
		return jar;
	}

	private int awaitPort() {
		Matcher[] found = new Matcher[1];
		awaitTrue("the server to listen", STARTUP, () -> {
			String output = output();
			for (Pattern pattern : List.of(LISTENING, PLAIN_TOMCAT)) {
				Matcher matcher = pattern.matcher(output);
				if (matcher.find()) {
					found[0] = matcher;
					return true;
				}
			}
			return false;
		});
		return Integer.parseInt(found[0].group(1));
	}

	/**
	 * Wait until the master's log reports this many workers ready in all.
	 * @param count the number of "ready" lines
	 */
	void awaitWorkersReady(int count) {
		awaitTrue(count + " workers ready", STARTUP, () -> countInOutput(" ready in ") >= count);
	}

	int countInOutput(String text) {
		return output().split(Pattern.quote(text), -1).length - 1;
	}

	String output() {
		try {
			return Files.readString(this.log);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	int port() {
		return this.port;
	}

	long pid() {
		return this.process.pid();
	}

	Process process() {
		return this.process;
	}

	/**
	 * Send the master a signal.
	 * @param name the signal's name, e.g. {@code HUP}
	 */
	void signal(String name) throws IOException, InterruptedException {
		Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid())).inheritIO().start();
		if (kill.waitFor() != 0) {
			throw new AssertionError("kill -" + name + " " + pid() + " failed");
		}
	}

	/**
	 * Return the master's live child processes, remembering them for cleanup.
	 * @return the worker pids
	 */
	Set<Long> workerPids() {
		List<ProcessHandle> children = this.process.toHandle().children().toList();
		this.started.addAll(children);
		return children.stream().filter(ProcessHandle::isAlive).map(ProcessHandle::pid).collect(Collectors.toSet());
	}

	/**
	 * Poll a condition until it holds, failing with what was last seen.
	 * @param what what is awaited, for the failure message
	 * @param timeout how long to wait
	 * @param condition the condition
	 */
	void awaitTrue(String what, Duration timeout, BooleanSupplier condition) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() - deadline > 0) {
				throw new AssertionError("Timed out after " + timeout.toSeconds() + " s waiting for " + what
						+ "; master alive: " + this.process.isAlive() + "; output:\n" + tail(output()));
			}
			if (!this.process.isAlive() && !what.contains("exit")) {
				throw new AssertionError("Master exited (" + this.process.exitValue() + ") while waiting for " + what
						+ "; output:\n" + tail(output()));
			}
			pause();
		}
	}

	private static void pause() {
		try {
			// A short poll interval, not a fixed wait for an outcome.
			Thread.sleep(50);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new AssertionError("Interrupted", ex);
		}
	}

	private static String tail(String output) {
		return output.length() > 6000 ? output.substring(output.length() - 6000) : output;
	}

	@Override
	public void close() {
		workerPids();
		if (this.process.isAlive()) {
			this.process.destroy();
			try {
				this.process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		for (ProcessHandle handle : this.started) {
			if (handle.isAlive()) {
				handle.destroyForcibly();
			}
		}
	}

}
