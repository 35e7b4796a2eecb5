package io.prefork.master;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

import io.prefork.pool.ClassDataPolicy;

/**
 * One application's class-data archive in the cache directory. Its name says what it was
 * made for: the JVM build, the workers' JVM options and the class path (path, size and
 * modification time of every entry, including those of a jar manifest's
 * {@code Class-Path}), so anything that would make it stale gives another name and a new
 * training. The JVM checks the class path itself, but not the archive's contents: a
 * truncated or altered archive crashes it, even with {@code -Xshare:auto}. So an archive is
 * only used when its marker, written once the archive was verified, holds its checksum.
 * <p>
 * The cache directory holds, per archive, the archive ({@code .jsa}), its marker
 * ({@code .jsa.ok}) and the output of its training ({@code .log}); while a master trains or
 * publishes, also temporary files named with that master's pid ({@code .tmp}). Only files
 * named like these are ever deleted.
 */
final class ClassDataArchive {

	/** Heap size options, which do not change what an archive holds. */
	private static final Predicate<String> HEAP_SIZE = Pattern
		.compile("-Xm[sx].*|-XX:(Max|Initial|Min)HeapSize=.*|-XX:(Max|Initial|Min)RAMPercentage=.*|-XX:MaxRAM=.*")
		.asMatchPredicate();

	private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

	private static final Pattern KEPT_FILE = Pattern.compile("(prefork-[0-9a-f]{12}-[0-9a-f]{12})\\.(jsa|jsa\\.ok|log)");

	private static final Pattern TEMPORARY_FILE = Pattern
		.compile("prefork-[0-9a-f]{12}-[0-9a-f]{12}\\.jsa(\\.ok)?\\.([0-9]{1,10})\\.tmp");

	private final Path directory;

	private final String family;

	private final Path file;

	private ClassDataArchive(Path directory, String family, String key) {
		this.directory = directory;
		this.family = family;
		this.file = directory.resolve("prefork-" + family + "-" + key + ".jsa");
	}

	/**
	 * Name the archive for these workers.
	 * @param directory the cache directory
	 * @param jvmBuild what identifies the JVM build (home, vendor, version)
	 * @param jvmOptions the workers' java executable and JVM options
	 * @param classPath the class path ({@code java.class.path})
	 * @return the archive, which may not exist yet
	 */
	static ClassDataArchive of(Path directory, String jvmBuild, List<String> jvmOptions, String classPath) {
		return of(directory, jvmBuild, jvmOptions, classPath, "");
	}

	/**
	 * Name the archive for these workers and this training.
	 * @param directory the cache directory
	 * @param jvmBuild what identifies the JVM build (home, vendor, version)
	 * @param jvmOptions the workers' java executable and JVM options
	 * @param classPath the class path ({@code java.class.path})
	 * @param workload what the training run does beyond starting the application, empty for
	 * nothing (which keeps the names archives had before workloads counted)
	 * @return the archive, which may not exist yet
	 */
	static ClassDataArchive of(Path directory, String jvmBuild, List<String> jvmOptions, String classPath,
			String workload) {
		List<String> entries = classPathEntries(classPath);
		List<String> facts = new ArrayList<>();
		facts.add(jvmBuild);
		if (!workload.isEmpty()) {
			facts.add(workload);
		}
		// System properties and agents (an IDE's has a new port each run) do not change
		// which classes an archive can hold, nor do heap sizes: a container's memory plan
		// gives workers another -Xmx in every pod size, and an archive trained when the image
		// was built must still count.
		jvmOptions.stream().filter((option) -> !option.startsWith("-D") && !option.startsWith("-javaagent:")
				&& !option.startsWith("-agent") && !HEAP_SIZE.test(option)).forEach(facts::add);
		for (String entry : entries) {
			Path path = Path.of(entry);
			facts.add(entry + " " + sizeAndTime(path));
		}
		return new ClassDataArchive(directory, hash(entries), hash(facts));
	}

	/**
	 * Return the archive file.
	 * @return its path
	 */
	Path file() {
		return this.file;
	}

	/**
	 * Return the file where a training run writes its archive (the JVM refuses to overwrite
	 * a read-only one, and workers must never see a half-written one).
	 * @return a path in the cache directory, unique to this master
	 */
	Path trainingFile() {
		return sibling(".jsa." + ProcessHandle.current().pid() + ".tmp");
	}

	private Path markerInProgress() {
		return sibling(".jsa.ok." + ProcessHandle.current().pid() + ".tmp");
	}

	/**
	 * Return the file for the training run's output.
	 * @return the log's path
	 */
	Path trainingLog() {
		return sibling(".log");
	}

	/**
	 * Create the cache directory if needed, readable by this user only, and refuse one that
	 * others may write to: whoever can replace an archive runs code in every worker.
	 * @throws IOException if it cannot be created or is not safe
	 */
	void prepareDirectory() throws IOException {
		prepareDirectory(WorkerCredentials.MASTER);
	}

	/**
	 * Create the cache directory if needed, readable only by the user workers run as (who
	 * also trains the archives), and refuse one that others may write to: whoever can
	 * replace an archive runs code in every worker. For workers running as another user
	 * than the master, missing parent directories get the default mode (umask), so that
	 * user can reach the cache; the master, as root, manages it all the same.
	 * @param workers who workers run as
	 * @throws IOException if it cannot be created or is not safe
	 */
	void prepareDirectory(WorkerCredentials workers) throws IOException {
		String user = System.getProperty("user.name");
		if (workers.dropsPrivileges()) {
			user = workers.ownerName();
			Files.createDirectories(this.directory.getParent());
			if (!Files.isDirectory(this.directory)) {
				Files.createDirectory(this.directory, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
				workers.handOver(this.directory);
			}
		}
		else {
			Files.createDirectories(this.directory, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
		}
		if (!Files.getOwner(this.directory).getName().equals(user)) {
			throw new IOException(this.directory + " belongs to " + Files.getOwner(this.directory).getName()
					+ ", not to " + user);
		}
		Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(this.directory);
		if (permissions.contains(PosixFilePermission.GROUP_WRITE)
				|| permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
			throw new IOException(this.directory + " may be written by others ("
					+ PosixFilePermissions.toString(permissions) + ")");
		}
	}

	/**
	 * Whether the archive exists and is exactly what was verified.
	 * @return {@code true} if workers may start from it
	 */
	boolean isVerified() {
		try {
			return Files.isRegularFile(this.file) && Files.isRegularFile(marker())
					&& Files.readString(marker(), StandardCharsets.US_ASCII).trim().equals(checksum(this.file));
		}
		catch (IOException ex) {
			return false;
		}
	}

	/**
	 * Make a verified training result the archive, and delete the archives this one
	 * supersedes (same class path, older build).
	 * @param trained the verified archive
	 * @throws IOException if it cannot be moved into place
	 */
	void publish(Path trained) throws IOException {
		String checksum = checksum(trained);
		Files.move(trained, this.file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		Path marker = markerInProgress();
		try {
			Files.writeString(marker, checksum + "\n", StandardCharsets.US_ASCII);
			Files.move(marker, marker(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		}
		finally {
			deleteQuietly(marker);
		}
		deleteSuperseded();
	}

	/**
	 * Delete the temporary files of this master's training, e.g. the partial archive of an
	 * interrupted run.
	 */
	void deleteTemporaryFiles() {
		deleteQuietly(trainingFile());
		deleteQuietly(markerInProgress());
	}

	/**
	 * Record that a worker starts from the archive now: the marker's modification time is
	 * when the archive was last used, which {@link #tidy(Instant)} keeps it by.
	 */
	void markUsed() {
		try {
			Files.setLastModifiedTime(marker(), FileTime.from(Instant.now()));
		}
		catch (IOException ex) {
			// Best effort: at worst the archive is retrained after a month unused.
		}
	}

	/**
	 * Tidy the cache directory, as a master starts: delete temporary files that no running
	 * master will finish (left by a master that was killed, say), and the archives of other
	 * class paths and JVM builds that {@link ClassDataPolicy#archivesToDelete} chooses.
	 * @param now the current time
	 * @return the files deleted
	 * @throws IOException if the directory cannot be read
	 */
	List<Path> tidy(Instant now) throws IOException {
		List<Path> deleted = new ArrayList<>();
		Map<String, Instant> lastUsed = new HashMap<>();
		try (DirectoryStream<Path> files = Files.newDirectoryStream(this.directory, "prefork-*")) {
			for (Path file : files) {
				String name = file.getFileName().toString();
				Matcher temporary = TEMPORARY_FILE.matcher(name);
				Matcher kept = KEPT_FILE.matcher(name);
				if (temporary.matches() && isStale(file, Long.parseLong(temporary.group(2)), now)) {
					delete(file, deleted);
				}
				else if (kept.matches()) {
					lastUsed.merge(kept.group(1), modified(file), (a, b) -> a.isAfter(b) ? a : b);
				}
			}
		}
		List<ClassDataPolicy.CachedArchive> archives = lastUsed.entrySet().stream()
			.map((entry) -> new ClassDataPolicy.CachedArchive(entry.getKey(), entry.getValue()))
			.toList();
		for (String name : ClassDataPolicy.archivesToDelete(archives, stem(), now)) {
			for (String suffix : List.of(".jsa.ok", ".jsa", ".log")) {
				delete(this.directory.resolve(name + suffix), deleted);
			}
		}
		return deleted;
	}

	private static boolean isStale(Path file, long ownerPid, Instant now) {
		boolean ownerAlive = ProcessHandle.of(ownerPid).map(ProcessHandle::isAlive).orElse(false);
		return ClassDataPolicy.isStaleTemporaryFile(ownerAlive, Duration.between(modified(file), now));
	}

	private static Instant modified(Path file) {
		try {
			return Files.getLastModifiedTime(file).toInstant();
		}
		catch (IOException ex) {
			// Gone meanwhile: as good as never used.
			return Instant.EPOCH;
		}
	}

	private static void delete(Path file, List<Path> deleted) {
		try {
			if (Files.deleteIfExists(file)) {
				deleted.add(file);
			}
		}
		catch (IOException ex) {
			// Best effort: tried again when the next master starts.
		}
	}

	/**
	 * Delete the archive and its marker, e.g. when it failed its checksum.
	 */
	void delete() {
		deleteQuietly(marker());
		deleteQuietly(this.file);
	}

	static void deleteQuietly(Path path) {
		try {
			Files.deleteIfExists(path);
		}
		catch (IOException ex) {
			// Best effort: a leftover file is ignored by name.
		}
	}

	private void deleteSuperseded() throws IOException {
		String name = this.file.getFileName().toString();
		try (DirectoryStream<Path> archives = Files.newDirectoryStream(this.directory,
				"prefork-" + this.family + "-*.{jsa,jsa.ok,log}")) {
			for (Path old : archives) {
				if (!old.getFileName().toString().startsWith(name.substring(0, name.length() - 4))) {
					deleteQuietly(old);
				}
			}
		}
	}

	private Path marker() {
		return sibling(".jsa.ok");
	}

	private Path sibling(String suffix) {
		return this.file.resolveSibling(stem() + suffix);
	}

	private String stem() {
		String name = this.file.getFileName().toString();
		return name.substring(0, name.length() - ".jsa".length());
	}

	private static String checksum(Path file) throws IOException {
		CRC32C crc = new CRC32C();
		byte[] buffer = new byte[1 << 16];
		try (InputStream in = Files.newInputStream(file)) {
			int read;
			while ((read = in.read(buffer)) > 0) {
				crc.update(buffer, 0, read);
			}
		}
		return Long.toHexString(crc.getValue()) + " " + Files.size(file);
	}

	// The class path and, for jars, the Class-Path of their manifests (an extracted Spring
	// Boot jar lists its libraries there).
	private static List<String> classPathEntries(String classPath) {
		List<String> entries = new ArrayList<>();
		for (String entry : classPath.split(java.io.File.pathSeparator)) {
			if (entry.isEmpty()) {
				continue;
			}
			Path path = Path.of(entry).toAbsolutePath().normalize();
			entries.add(path.toString());
			if (entry.endsWith(".jar") && Files.isRegularFile(path)) {
				for (String referenced : manifestClassPath(path)) {
					entries.add(path.resolveSibling(referenced).normalize().toString());
				}
			}
		}
		return entries;
	}

	private static List<String> manifestClassPath(Path jar) {
		try (JarFile file = new JarFile(jar.toFile())) {
			Manifest manifest = file.getManifest();
			String classPath = (manifest != null) ? manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH)
					: null;
			return (classPath != null && !classPath.isBlank()) ? List.of(classPath.trim().split("\\s+")) : List.of();
		}
		catch (IOException ex) {
			return List.of();
		}
	}

	private static String sizeAndTime(Path path) {
		try {
			return Files.size(path) + " " + Files.getLastModifiedTime(path).toMillis();
		}
		catch (IOException ex) {
			return "missing";
		}
	}

	private static String hash(List<String> facts) {
		try {
			MessageDigest digest = MessageDigest.getInstance("SHA-256");
			for (String fact : facts) {
				digest.update(fact.getBytes(StandardCharsets.UTF_8));
				digest.update((byte) 0);
			}
			return HexFormat.of().formatHex(digest.digest(), 0, 6);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("Every JVM has SHA-256", ex);
		}
	}

}
