package io.prefork.master;

import java.util.ArrayList;
import java.util.List;

/**
 * The JVM options that grant jnr what newer JDKs ask to be granted, for the JVMs the
 * master starts (workers and the lean master): from JDK 22, native access (jffi loads its
 * stub with {@code System::load}, a restricted method); from JDK 24, memory access through
 * {@code sun.misc.Unsafe} (jffi's fast path). Without them every such JVM prints eight
 * {@code WARNING:} lines at start. An option of the same kind given anywhere wins, and JDK 17
 * gets nothing.
 */
final class NativeAccessOptions {

	static final String NATIVE_ACCESS = "--enable-native-access";

	static final String UNSAFE_MEMORY_ACCESS = "--sun-misc-unsafe-memory-access";

	private NativeAccessOptions() {
	}

	/**
	 * Return the options for a JVM of this JDK.
	 * @param given the options the JVM gets anyway
	 * @return the options to add
	 */
	static List<String> forThisJdk(List<String> given) {
		return of(Runtime.version().feature(), given);
	}

	/**
	 * Return the options for a JVM of a JDK release.
	 * @param jdkFeature the JDK's feature release, e.g. 25
	 * @param given the options the JVM gets anyway
	 * @return the options to add
	 */
	static List<String> of(int jdkFeature, List<String> given) {
		List<String> options = new ArrayList<>();
		if (jdkFeature >= 22 && given.stream().noneMatch((option) -> option.startsWith(NATIVE_ACCESS))) {
			options.add(NATIVE_ACCESS + "=ALL-UNNAMED");
		}
		if (jdkFeature >= 24 && given.stream().noneMatch((option) -> option.startsWith(UNSAFE_MEMORY_ACCESS))) {
			options.add(UNSAFE_MEMORY_ACCESS + "=allow");
		}
		return options;
	}

}
