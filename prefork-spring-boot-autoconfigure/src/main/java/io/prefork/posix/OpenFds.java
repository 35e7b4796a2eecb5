package io.prefork.posix;

import java.io.File;
import java.util.Arrays;

/**
 * Lists this process's open fds from {@code /proc/self/fd}.
 */
final class OpenFds {

	private OpenFds() {
	}

	static int[] list() {
		String[] names = new File("/proc/self/fd").list();
		return (names != null) ? Arrays.stream(names).mapToInt(Integer::parseInt).toArray() : new int[0];
	}

}
