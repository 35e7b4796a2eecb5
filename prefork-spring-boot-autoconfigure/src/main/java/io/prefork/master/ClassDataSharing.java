package io.prefork.master;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.prefork.PreforkSettings;
import io.prefork.pool.ClassDataPolicy;
import io.prefork.pool.ExitStatus;
import io.prefork.posix.PosixException;
import io.prefork.posix.ProcessSpawner;
import io.prefork.posix.Processes;

/**
 * Application class-data sharing for workers (AppCDS), without the user doing anything:
 * when no verified archive exists for this JVM build and class path, the master trains one
 * in the background with the workers' own command line ({@code -XX:ArchiveClassesAtExit},
 * the application context refreshed and the JVM ended by Spring's
 * {@code spring.context.exit=onRefresh} or, when workers warm up, after the training run has
 * served itself that warm-up), at low CPU priority so that starting and serving
 * workers come first; workers spawned meanwhile start without it. The archive is then
 * verified by a JVM that must map it ({@code -Xshare:on}) and published; workers spawned
 * from then on start from it with {@code -XX:SharedArchiveFile}. A training run that fails or
 * is killed leaves workers starting as before, deletes what it left, and is retried later
 * with back-off, a bounded number of times ({@link ClassDataPolicy}); a retry waits while
 * workers boot.
 * <p>
 * From JDK 25 the archive is an AOT cache ({@code -XX:AOTCacheOutput}, JEP 483 and 514):
 * classes loaded and linked as well as parsed, and the training run's method profiles
 * (JEP 515); the sample's context refreshed in 2.7 s from one, 3.5–4.2 s from a dynamic
 * archive and 5.4 s from none. The training JVM assembles it in a second JVM as it exits,
 * which is why a helper is stopped with its whole process group.
 * <p>
 * Not {@code -XX:+AutoCreateSharedArchive} (JDK 19+): it writes the archive when a worker's
 * JVM exits, which for long-lived workers stopped by signals is late or never, and workers
 * exiting together would race on one file.
 * <p>
 * Only the master loop's thread calls this class.
 */
final class ClassDataSharing {

	private static final Log logger = LogFactory.getLog(ClassDataSharing.class);

	/** The nice value of the training run: it gets the CPU time workers leave. */
	private static final int TRAINING_NICENESS = 10;

	/**
	 * The system property (of the master) with the delay before the first retry of a failed
	 * training run, in milliseconds: for tests, which cannot wait the default half minute.
	 */
	static final String RETRY_DELAY_PROPERTY = "prefork.cds.retry-delay-millis";

	/** Options by which the command line manages class-data sharing itself. */
	private static final Predicate<String> USER_CDS = Pattern
		.compile("-XX:(SharedArchiveFile|ArchiveClassesAtExit|AOTCache|AOTCacheOutput|AOTMode|SharedClassListFile)=.*"
				+ "|-XX:\\+AutoCreateSharedArchive|-Xshare:(off|dump)")
		.asMatchPredicate();

	/** Whether the workers' JVM (this JVM's build) makes AOT caches rather than dynamic archives. */
	private static final boolean AOT_CACHE = Runtime.version().feature() >= 25;

	private enum Stage {

		/** Workers start without an archive, for good. */
		OFF,

		/** No archive yet; training starts with the first worker. */
		UNTRAINED,

		/** The training run is making the archive. */
		TRAINING,

		/** A training run failed; another starts when due and no worker is booting. */
		RETRY_PENDING,

		/** A JVM checks that it can use the new archive. */
		VERIFYING,

		/** Workers start from the archive. */
		READY

	}

	private final ClassDataArchive archive;

	private final WorkerCommandLine commandLine;

	private final String classPath;

	private final Duration firstRetryDelay;

	private final WorkerCredentials credentials;

	private final PreforkSettings.Warmup warmup;

	private Stage stage;

	private int helperPid = -1;

	private long trainingStartedAt;

	private int failedRuns;

	private long retryAt;

	private ClassDataSharing(ClassDataArchive archive, WorkerCommandLine commandLine, String classPath, Stage stage,
			Duration firstRetryDelay, WorkerCredentials credentials, PreforkSettings.Warmup warmup) {
		this.archive = archive;
		this.credentials = credentials;
		this.warmup = warmup;
		this.commandLine = commandLine;
		this.classPath = classPath;
		this.stage = stage;
		this.firstRetryDelay = firstRetryDelay;
	}

	/**
	 * Decide how workers running as the master's user, without a warm-up, use class-data
	 * sharing, see
	 * {@link #create(PreforkSettings.Cds, PreforkSettings.Warmup, WorkerCommandLine, List, String, WorkerCredentials)}.
	 * @param settings the settings
	 * @param commandLine the workers' command line
	 * @param inherited the JVM options workers get anyway
	 * @param classPath the class path
	 * @return the class-data sharing of this master
	 */
	static ClassDataSharing create(PreforkSettings.Cds settings, WorkerCommandLine commandLine,
			List<String> inherited, String classPath) {
		return create(settings, PreforkSettings.Warmup.NONE, commandLine, inherited, classPath,
				WorkerCredentials.MASTER);
	}

	/**
	 * Decide how workers use class-data sharing, and log it once.
	 * @param settings the settings
	 * @param warmup the workers' warm-up, which the training run sends itself too
	 * @param commandLine the workers' command line
	 * @param inherited the JVM options workers get anyway (the master's and those of the
	 * environment)
	 * @param classPath the class path ({@code java.class.path})
	 * @param credentials who workers run as: so do the training and verifying JVMs, and the
	 * cache directory belongs to that user
	 * @return the class-data sharing of this master
	 */
	static ClassDataSharing create(PreforkSettings.Cds settings, PreforkSettings.Warmup warmup,
			WorkerCommandLine commandLine, List<String> inherited, String classPath, WorkerCredentials credentials) {
		return create(settings, warmup, commandLine, inherited, classPath,
				Duration.ofMillis(Long.getLong(RETRY_DELAY_PROPERTY, ClassDataPolicy.FIRST_RETRY_DELAY.toMillis())),
				credentials);
	}

	/**
	 * Like {@link #create(PreforkSettings.Cds, WorkerCommandLine, List, String)}, with the
	 * delay before the first retry of a failed training run.
	 * @param settings the settings
	 * @param commandLine the workers' command line
	 * @param inherited the JVM options workers get anyway
	 * @param classPath the class path
	 * @param firstRetryDelay the delay after the first failed run (then doubled)
	 * @return the class-data sharing of this master
	 */
	static ClassDataSharing create(PreforkSettings.Cds settings, WorkerCommandLine commandLine,
			List<String> inherited, String classPath, Duration firstRetryDelay) {
		return create(settings, PreforkSettings.Warmup.NONE, commandLine, inherited, classPath, firstRetryDelay,
				WorkerCredentials.MASTER);
	}

	private static ClassDataSharing create(PreforkSettings.Cds settings, PreforkSettings.Warmup warmup,
			WorkerCommandLine commandLine, List<String> inherited, String classPath, Duration firstRetryDelay,
			WorkerCredentials credentials) {
		if (!settings.enabled()) {
			return off(commandLine);
		}
		String own = Stream.concat(inherited.stream(), commandLine.jvm().stream())
			.filter(USER_CDS)
			.findFirst()
			.orElse(null);
		if (own != null) {
			logger.info("Class-data sharing of workers is left to the command line (" + own + ")");
			return off(commandLine);
		}
		String directory = nonEmptyDirectory(classPath);
		if (directory != null) {
			logger.info("Workers start without a class-data archive: the class path has the directory " + directory
					+ ", which class-data sharing cannot hold. Run the application from jars (e.g. a Spring Boot jar "
					+ "extracted with 'java -Djarmode=tools -jar app.jar extract') to let workers start faster.");
			return off(commandLine);
		}
		ClassDataArchive archive = ClassDataArchive.of(settings.directory(), jvmBuild(), commandLine.jvm(), classPath,
				trainingWorkload(warmup));
		try {
			archive.prepareDirectory(credentials);
		}
		catch (IOException ex) {
			logger.warn("Workers start without a class-data archive: cannot use the directory " + settings.directory()
					+ " (" + ex.getMessage() + "); set server.prefork.worker.cds.directory to one of your own");
			return off(commandLine);
		}
		List<String> failed = credentials.failedChecks(List.of("x:" + settings.directory(), "w:" + settings.directory()));
		if (!failed.isEmpty()) {
			logger.warn("Workers start without a class-data archive: " + credentials + " cannot use the directory "
					+ settings.directory() + " (failed: " + failed + "); set server.prefork.worker.cds.directory to "
					+ "a directory the workers' user can reach");
			return off(commandLine);
		}
		tidy(archive);
		if (isSpringBootExecutableJar(commandLine)) {
			logger.info("The application runs from a Spring Boot executable jar: a class-data archive holds only "
					+ "part of it. Extract it once with 'java -Djarmode=tools -jar app.jar extract' and run "
					+ "'java -jar app/app.jar' to let workers start faster.");
		}
		if (archive.isVerified()) {
			logger.info("Workers start from the class-data archive " + archive.file());
			return new ClassDataSharing(archive, commandLine, classPath, Stage.READY, firstRetryDelay, credentials,
					warmup);
		}
		if (Files.exists(archive.file())) {
			logger.warn("Ignoring the class-data archive " + archive.file()
					+ ": it does not match the checksum it was verified with; training a new one");
		}
		return new ClassDataSharing(archive, commandLine, classPath, Stage.UNTRAINED, firstRetryDelay, credentials,
				warmup);
	}

	// What the training run does beyond starting: a new warm-up makes a new archive.
	private static String trainingWorkload(PreforkSettings.Warmup warmup) {
		return warmup.enabled()
				? "warm-up " + warmup.requests() + " " + warmup.paths() + (warmup.untilCompiled() ? " until compiled" : "")
				: "";
	}

	private static void tidy(ClassDataArchive archive) {
		try {
			List<Path> deleted = archive.tidy(Instant.now());
			if (!deleted.isEmpty()) {
				logger.info("Deleted " + deleted.size() + " left-over or unused files from the class-data cache: "
						+ deleted);
			}
		}
		catch (IOException ex) {
			logger.debug("Cannot tidy the class-data cache: " + ex.getMessage());
		}
	}

	private static ClassDataSharing off(WorkerCommandLine commandLine) {
		return new ClassDataSharing(null, commandLine, "", Stage.OFF, Duration.ZERO, WorkerCredentials.MASTER,
				PreforkSettings.Warmup.NONE);
	}

	/**
	 * Return the JVM options that make a worker start from the archive, if there is one.
	 * {@code -Xshare:auto} (the default, said explicitly) lets the JVM start without an
	 * archive it cannot map.
	 * @return the options, maybe none
	 */
	List<String> workerOptions() {
		if (this.stage != Stage.READY) {
			return List.of();
		}
		// -XX:AOTMode=auto, the default, also starts without a cache it cannot map.
		return AOT_CACHE ? List.of("-XX:AOTCache=" + this.archive.file())
				: List.of("-XX:SharedArchiveFile=" + this.archive.file(), "-Xshare:auto");
	}

	/**
	 * Note that a worker was spawned: it used the archive, if there is one; with the first
	 * worker, the training run starts if there is no archive yet.
	 * @param environment the workers' environment
	 */
	void workerSpawned(List<String> environment) {
		if (this.stage == Stage.READY) {
			this.archive.markUsed();
		}
		else if (this.stage == Stage.UNTRAINED) {
			train(environment);
		}
	}

	/**
	 * Start the next training run after a failed one, when it is due and no worker is
	 * booting. Called every turn of the master loop.
	 * @param now the current {@link System#nanoTime()}
	 * @param workersStarting workers that are booting
	 * @param environment the workers' environment
	 */
	void maintain(long now, int workersStarting, List<String> environment) {
		if (this.stage == Stage.RETRY_PENDING && ClassDataPolicy.mayRetry(now, this.retryAt, workersStarting)) {
			train(environment);
		}
	}

	private void train(List<String> environment) {
		Path output = this.archive.trainingFile();
		this.archive.deleteTemporaryFiles();
		startLog();
		List<String> options = new ArrayList<>(List.of(
				(AOT_CACHE ? "-XX:AOTCacheOutput=" : "-XX:ArchiveClassesAtExit=") + output,
				"-D" + PreforkSettings.Cds.TRAINING_PROPERTY + "=true"));
		if (!this.warmup.enabled()) {
			// With a warm-up, the training run serves it first and then exits by itself.
			options.add("-Dspring.context.exit=onRefresh");
		}
		if (startHelper(this.commandLine.with(options), environment, Stage.TRAINING)) {
			Processes.lowerPriority(this.helperPid, TRAINING_NICENESS);
			this.trainingStartedAt = System.nanoTime();
			logger.info("Training a class-data archive for workers (pid " + this.helperPid
					+ (this.warmup.enabled() ? ", through the workers' warm-up" : "") + ", attempt "
					+ (this.failedRuns + 1) + " of " + ClassDataPolicy.MAX_ATTEMPTS + ", low priority, output in "
					+ this.archive.trainingLog() + "); workers spawned until it is ready start without it");
		}
	}

	// The first run of a master starts a new log; retries add to it, so that it tells the
	// whole story.
	private void startLog() {
		Path log = this.archive.trainingLog();
		if (this.failedRuns == 0) {
			ClassDataArchive.deleteQuietly(log);
			return;
		}
		try {
			Files.writeString(log, "%n--- prefork: training attempt %d of %d ---%n".formatted(this.failedRuns + 1,
					ClassDataPolicy.MAX_ATTEMPTS), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
		}
		catch (IOException ex) {
			// Only a heading.
		}
	}

	/**
	 * Take a reaped child if it is this class's helper, and move on.
	 * @param pid the reaped child
	 * @param waitStatus its raw wait status
	 * @param environment the workers' environment, for the next helper
	 * @return {@code true} if it was the helper
	 */
	boolean reaped(int pid, int waitStatus, List<String> environment) {
		if (pid != this.helperPid) {
			return false;
		}
		this.helperPid = -1;
		ExitStatus status = ExitStatus.fromWaitStatus(waitStatus);
		Path trained = this.archive.trainingFile();
		if (this.stage == Stage.TRAINING) {
			if (status.exitCode() != 0 || !isNonEmptyFile(trained)) {
				failed("the training run (pid " + pid + ") " + status.describe() + " without an archive (see "
						+ this.archive.trainingLog() + ")");
				return true;
			}
			// -version: the JVM maps the archive, checks it and the class path, then ends.
			List<String> verify = new ArrayList<>(this.commandLine.jvm());
			verify.addAll(AOT_CACHE ? List.of("-XX:AOTCache=" + trained, "-XX:AOTMode=on")
					: List.of("-XX:SharedArchiveFile=" + trained, "-Xshare:on"));
			verify.addAll(List.of("-XX:+VerifySharedSpaces", "-cp", this.classPath, "-version"));
			startHelper(verify, environment, Stage.VERIFYING);
		}
		else if (this.stage == Stage.VERIFYING) {
			if (status.exitCode() != 0) {
				failed("a JVM cannot use the trained archive (pid " + pid + " " + status.describe() + ", see "
						+ this.archive.trainingLog() + ")");
				return true;
			}
			publish(trained);
		}
		return true;
	}

	/**
	 * Return the pid of the helper that runs now (training or verifying), for tests.
	 * @return the pid, or {@code -1}
	 */
	int helperPid() {
		return this.helperPid;
	}

	/**
	 * Stop a helper still running and delete what it left.
	 */
	void close() {
		if (this.helperPid > 0) {
			Processes.killGroup(this.helperPid);
			Processes.awaitExit(this.helperPid);
			this.helperPid = -1;
		}
		if (this.archive != null) {
			this.archive.deleteTemporaryFiles();
		}
	}

	private void publish(Path trained) {
		try {
			long bytes = Files.size(trained);
			this.archive.publish(trained);
			this.stage = Stage.READY;
			logger.info(String.format(Locale.ROOT,
					"Class-data archive %s ready (%d MB, made in %.1f s); workers spawned from now on start from it",
					this.archive.file(), bytes >> 20, (System.nanoTime() - this.trainingStartedAt) / 1e9));
		}
		catch (IOException ex) {
			failed("cannot store the archive (" + ex.getMessage() + ")");
		}
	}

	private boolean startHelper(List<String> argv, List<String> environment, Stage next) {
		try {
			// The training and verifying JVMs run the application too, so as the workers' user.
			this.helperPid = ProcessSpawner.spawnWithOutput(this.credentials.wrap(argv), environment,
					this.archive.trainingLog().toString());
			this.stage = next;
			return true;
		}
		catch (PosixException ex) {
			failed("cannot start " + argv.get(0) + " (" + ex.getMessage() + ")");
			return false;
		}
	}

	// Workers go on starting without an archive either way; what failed is tried again later,
	// a few times at most, since a killed run (OOM killer, an operator) says nothing about
	// the next one. Only the final line says "Workers start without a class-data archive",
	// like the other lines that end class-data sharing for good (bench/coldstart.py waits
	// for one of them).
	private void failed(String reason) {
		this.archive.deleteTemporaryFiles();
		this.failedRuns++;
		Duration delay = ClassDataPolicy.retryDelay(this.failedRuns, this.firstRetryDelay);
		if (delay == null) {
			this.stage = Stage.OFF;
			logger.warn("Class-data training failed (attempt " + this.failedRuns + " of " + ClassDataPolicy.MAX_ATTEMPTS
					+ "): " + reason + ". Workers start without a class-data archive: this master gives up after "
					+ this.failedRuns + " failed training runs");
			return;
		}
		this.stage = Stage.RETRY_PENDING;
		this.retryAt = System.nanoTime() + delay.toNanos();
		logger.warn(String.format(Locale.ROOT,
				"Class-data training failed (attempt %d of %d): %s. Workers start without an archive meanwhile; "
						+ "next attempt in %.1f s, once no worker is starting",
				this.failedRuns, ClassDataPolicy.MAX_ATTEMPTS, reason, delay.toMillis() / 1e3));
	}

	private static boolean isNonEmptyFile(Path path) {
		try {
			return Files.isRegularFile(path) && Files.size(path) > 0;
		}
		catch (IOException ex) {
			return false;
		}
	}

	static String jvmBuild() {
		return System.getProperty("java.home") + " " + System.getProperty("java.vm.vendor") + " "
				+ System.getProperty("java.vm.version") + " " + System.getProperty("os.arch");
	}

	// The JVM refuses to write an archive when the class path has a non-empty directory.
	private static String nonEmptyDirectory(String classPath) {
		for (String entry : classPath.split(File.pathSeparator)) {
			Path path = Path.of(entry.isEmpty() ? "." : entry);
			if (Files.isDirectory(path)) {
				try (Stream<Path> children = Files.list(path)) {
					if (children.findAny().isPresent()) {
						return entry.isEmpty() ? "." : entry;
					}
				}
				catch (IOException ex) {
					return entry;
				}
			}
		}
		return null;
	}

	private static boolean isSpringBootExecutableJar(WorkerCommandLine commandLine) {
		List<String> main = commandLine.main();
		if (main.size() < 2 || !main.get(0).equals("-jar")) {
			return false;
		}
		try (JarFile jar = new JarFile(main.get(1))) {
			Manifest manifest = jar.getManifest();
			String mainClass = (manifest != null) ? manifest.getMainAttributes().getValue("Main-Class") : null;
			return mainClass != null && mainClass.startsWith("org.springframework.boot.loader.");
		}
		catch (IOException ex) {
			return false;
		}
	}

}
