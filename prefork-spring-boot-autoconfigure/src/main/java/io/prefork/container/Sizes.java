package io.prefork.container;

import java.util.Locale;

/**
 * Memory sizes for log lines and messages, in binary units as {@code -Xmx} and Spring's
 * {@code DataSize} count them (1 MB = 1024 KB).
 */
final class Sizes {

	static final long MB = 1024 * 1024;

	private static final long GB = 1024 * MB;

	private Sizes() {
	}

	/**
	 * Describe a size: whole megabytes below a gigabyte, else gigabytes (e.g.
	 * {@code 160 MB}, {@code 1 GiB}, {@code 1.5 GiB}).
	 * @param bytes the size
	 * @return the description
	 */
	static String describe(long bytes) {
		if (bytes < GB) {
			return (bytes / MB) + " MB";
		}
		double gigabytes = bytes / (double) GB;
		return (gigabytes == Math.rint(gigabytes)) ? (long) gigabytes + " GiB"
				: String.format(Locale.ROOT, "%.1f GiB", gigabytes);
	}

	static long megabytes(long bytes) {
		return bytes / MB;
	}

}
