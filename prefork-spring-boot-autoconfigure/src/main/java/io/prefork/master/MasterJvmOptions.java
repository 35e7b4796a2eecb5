package io.prefork.master;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The JVM options a lean master re-executes itself with: defaults for a small JVM that
 * only runs the master loop, then the user's {@code server.prefork.master.jvm-options}. A
 * default is left out when an option of its kind is set anywhere already (the master's
 * command line, argument files, {@code JDK_JAVA_OPTIONS}, {@code JAVA_TOOL_OPTIONS} or
 * the user's master options), so it never overrides a choice someone made.
 */
final class MasterJvmOptions {

	private static final String MAX_HEAP = "-Xmx.*|-XX:MaxHeapSize=.*|-XX:MaxRAMPercentage=.*|-XX:MaxRAMFraction=.*"
			+ "|-XX:MaxRAM=.*";

	private static final String HEAP_FREE_RATIO = "-XX:(Min|Max)HeapFreeRatio=.*";

	/**
	 * Defaults for the master. Not {@code -XX:MaxMetaspaceSize}: a master that needs more
	 * class metadata than guessed would fail with an {@code OutOfMemoryError}, and the
	 * metaspace it does not use costs nothing.
	 */
	private static final List<Default> DEFAULTS = List.of(
			// The master holds little: its settings, the pool and queued connections.
			new Default("-Xmx64m", matching(MAX_HEAP)),
			// Start small and grow only if needed; only next to our own maximum, so it can
			// never exceed one the user chose.
			new Default("-Xms8m", matching("-Xms.*|-XX:InitialHeapSize=.*|-XX:InitialRAMPercentage=.*"
					+ "|-XX:MinHeapSize=.*|" + MAX_HEAP)),
			// No GC threads, the smallest collector.
			new Default("-XX:+UseSerialGC", matching("-XX:[+-]Use\\w*GC")),
			// C1 only: one compiler thread, no C2 arenas; the loop is simple code.
			new Default("-XX:TieredStopAtLevel=1", matching("-XX:TieredStopAtLevel=.*|-XX:[+-]TieredCompilation"
					+ "|-XX:CICompilerCount=.*|-Xint|-Xcomp|-XX:[+-]UseJVMCICompiler")),
			// Compile only what runs often: most start-up code runs a few hundred times and
			// then never again (3 MB of RSS as compiled code); the loop is compiled within its
			// first few thousand connections all the same.
			new Default("-XX:CompileThresholdScaling=10", matching("-XX:CompileThresholdScaling=.*"
					+ "|-XX:(Tier\\w*|Compile|BackEdge|Interpreter\\w*)Threshold=.*|-Xint|-Xcomp")),
			// After a full collection, keep at most a fifth of the heap free, not 70 %: the
			// master's live data hardly changes once it runs (2 MB of RSS). One kind: our
			// minimum next to a lower maximum of the user's would stop the JVM.
			new Default("-XX:MinHeapFreeRatio=10", matching(HEAP_FREE_RATIO)),
			new Default("-XX:MaxHeapFreeRatio=20", matching(HEAP_FREE_RATIO)),
			// Ample for the master's code under C1 (a full cache would stop the JIT).
			new Default("-XX:ReservedCodeCacheSize=32m",
					matching("-XX:ReservedCodeCacheSize=.*|-XX:InitialCodeCacheSize=.*|-XX:[+-]SegmentedCodeCache")),
			// The master's threads are few and shallow.
			new Default("-Xss512k", matching("-Xss.*|-XX:ThreadStackSize=.*")),
			// Spring Boot warms up, on a thread of its own, what an application will use
			// (Jackson, message converters, validation, TLS providers): 5 MB of class metadata
			// and 10 MB of RSS in a master, which uses none of it.
			new Default("-Dspring.backgroundpreinitializer.ignore=true",
					matching("-Dspring\\.backgroundpreinitializer\\.ignore(=.*)?")));

	private MasterJvmOptions() {
	}

	/**
	 * Return the options to add to the master's command line.
	 * @param given the options the JVM gets anyway: its command line's (argument files
	 * expanded) and those of {@code JDK_JAVA_OPTIONS} and {@code JAVA_TOOL_OPTIONS}
	 * @param extra the user's {@code server.prefork.master.jvm-options}
	 * @param trimsNativeHeap whether the JVM knows {@link NativeHeapTrim#OPTION}
	 * @return the defaults not set already, then the extra options
	 */
	static List<String> of(List<String> given, List<String> extra, boolean trimsNativeHeap) {
		List<String> all = new ArrayList<>(given);
		all.addAll(extra);
		List<String> options = new ArrayList<>();
		for (Default option : DEFAULTS) {
			if (all.stream().noneMatch(option.kind())) {
				options.add(option.value());
			}
		}
		if (trimsNativeHeap && all.stream().noneMatch(NativeHeapTrim.KIND)) {
			options.add(NativeHeapTrim.OPTION);
		}
		options.addAll(extra);
		return options;
	}

	private static Predicate<String> matching(String regex) {
		return Pattern.compile(regex).asMatchPredicate();
	}

	private record Default(String value, Predicate<String> kind) {
	}

}
