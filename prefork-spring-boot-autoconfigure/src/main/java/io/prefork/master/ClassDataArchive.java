package io.prefork.master;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * One application's class-data archive in the cache directory. Its name says what it was
 * made for: the JVM build, the workers' JVM options and the class path (path, size and
 * modification time of every entry, including those of a jar manifest's
 * {@code Class-Path}), so anything that would make it stale gives another name and a new
 * training. The JVM checks the class path itself, but not the archive's contents: a
 * truncated or altered archive crashes it, even with {@code -Xshare:auto}. So an archive is
 * only used when its marker, written once the archive was verified, holds its checksum.
 */
final class ClassDataArchive {

	/** Heap size options, which do not change what an archive holds. */
	private static final Predicate<String> HEAP_SIZE = Pattern
		.compile("-Xm[sx].*|-XX:(Max|Initial|Min)HeapSize=.*|-XX:(Max|Initial|Min)RAMPercentage=.*|-XX:MaxRAM=.*")
		.asMatchPredicate();

	private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

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
		List<String> entries = classPathEntries(classPath);
		List<String> facts = new ArrayList<>();
		facts.add(jvmBuild);
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
		Files.createDirectories(this.directory, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
		String user = System.getProperty("user.name");
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
		Path marker = sibling(".jsa.ok." + ProcessHandle.current().pid() + ".tmp");
		Files.writeString(marker, checksum + "\n", StandardCharsets.US_ASCII);
		Files.move(marker, marker(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		deleteSuperseded();
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
		String name = this.file.getFileName().toString();
		return this.file.resolveSibling(name.substring(0, name.length() - ".jsa".length()) + suffix);
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
