package io.prefork.worker;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The logger levels set for the whole pool at run time, kept in the pool's private directory
 * (which lives as long as the master) so that every worker started later begins with them.
 * A level reset to {@code null} is forgotten: new workers start with the configured one.
 */
public final class PoolLoggerLevels {

	private static final String FILE_NAME = "logger-levels.properties";

	private final Path file;

	private final Path lock;

	/**
	 * Keep the levels in a pool's private directory.
	 * @param directory the directory
	 */
	public PoolLoggerLevels(Path directory) {
		this.file = directory.resolve(FILE_NAME);
		this.lock = directory.resolve(FILE_NAME + ".lock");
	}

	/**
	 * Record a level set for the whole pool. Workers may record at once: a file lock orders
	 * them, and readers see the old file or the new one, never half of one.
	 * @param logger the logger's (or logger group's) name
	 * @param level the level, or {@code null} to forget it
	 * @throws IOException if the file cannot be written
	 */
	public void record(String logger, String level) throws IOException {
		try (FileChannel channel = FileChannel.open(this.lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
				FileLock held = channel.lock()) {
			Properties levels = load();
			if (level != null) {
				levels.setProperty(logger, level);
			}
			else {
				levels.remove(logger);
			}
			Path partial = this.file.resolveSibling(FILE_NAME + ".partial");
			try (Writer writer = Files.newBufferedWriter(partial, StandardCharsets.UTF_8)) {
				levels.store(writer, "Logger levels set for the whole pool");
			}
			Files.move(partial, this.file, StandardCopyOption.ATOMIC_MOVE);
		}
	}

	/**
	 * Read the levels.
	 * @return the level of each logger, by name; empty if none was set or the file cannot be
	 * read
	 */
	public Map<String, String> read() {
		try {
			Properties levels = load();
			Map<String, String> byName = new TreeMap<>();
			levels.stringPropertyNames().forEach((name) -> byName.put(name, levels.getProperty(name)));
			return byName;
		}
		catch (IOException ex) {
			return Map.of();
		}
	}

	private Properties load() throws IOException {
		Properties levels = new Properties();
		try (Reader reader = Files.newBufferedReader(this.file, StandardCharsets.UTF_8)) {
			levels.load(reader);
		}
		catch (NoSuchFileException ex) {
			// None set yet.
		}
		return levels;
	}

}
