package io.prefork.posix;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Test support: a descriptor's open flags as the kernel reports them, without any libc
 * binding.
 */
public final class FdInfo {

	/** {@code O_NONBLOCK} in the octal flags of {@code /proc/self/fdinfo}. */
	public static final int O_NONBLOCK = 04000;

	/** {@code O_CLOEXEC} in the octal flags of {@code /proc/self/fdinfo}. */
	public static final int O_CLOEXEC = 02000000;

	private FdInfo() {
	}

	/**
	 * Return the flags of an open descriptor of this process.
	 * @param fd the descriptor
	 * @return its flags
	 * @throws IOException if the descriptor is not open
	 */
	public static int flags(int fd) throws IOException {
		return Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd)).stream()
			.filter((line) -> line.startsWith("flags:"))
			.mapToInt((line) -> Integer.parseInt(line.substring("flags:".length()).trim(), 8))
			.findFirst()
			.orElseThrow();
	}

}
