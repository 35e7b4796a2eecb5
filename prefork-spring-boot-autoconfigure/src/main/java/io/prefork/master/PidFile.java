package io.prefork.master;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.prefork.PreforkException;

/**
 * The master's pid file ({@code server.prefork.pid-file}), by which a supervisor or a
 * script finds the master, also after an upgrade: written whole (a reader never sees half
 * a pid), removed on exit only while it still names this master, since after an upgrade it
 * names the new one.
 */
final class PidFile {

	private static final Log logger = LogFactory.getLog(PidFile.class);

	private final Path path;

	private final long pid = ProcessHandle.current().pid();

	/**
	 * Create the pid file's owner.
	 * @param path the file, or {@code null} for none
	 */
	PidFile(Path path) {
		this.path = path;
	}

	/**
	 * Write this process's pid.
	 * @throws PreforkException if it cannot be written
	 */
	void write() {
		if (this.path == null) {
			return;
		}
		try {
			Path temporary = this.path.resolveSibling("." + this.path.getFileName() + "." + this.pid);
			Files.writeString(temporary, this.pid + "\n", StandardCharsets.US_ASCII);
			Files.move(temporary, this.path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
			logger.debug("Wrote pid " + this.pid + " to " + this.path);
		}
		catch (IOException ex) {
			throw new PreforkException("Cannot write the pid file " + this.path + " (server.prefork.pid-file): " + ex,
					"Make its directory writable by the master's user, or choose another server.prefork.pid-file.",
					ex);
		}
	}

	/**
	 * Remove the file if it still names this process.
	 */
	void removeIfOwn() {
		if (this.path == null) {
			return;
		}
		try {
			if (Files.readString(this.path, StandardCharsets.US_ASCII).trim().equals(Long.toString(this.pid))) {
				Files.delete(this.path);
			}
		}
		catch (IOException ex) {
			// Gone already, or unreadable: either way not this master's to remove.
			logger.debug("Left the pid file " + this.path + ": " + ex);
		}
	}

}
