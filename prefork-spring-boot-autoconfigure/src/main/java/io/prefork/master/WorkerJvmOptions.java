package io.prefork.master;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.prefork.PreforkSettings;

/**
 * The JVM options only workers get: defaults for small, fast-starting JVMs, the worker heap
 * and the user's {@code server.prefork.worker.jvm-options}, in that order (the last of two
 * options wins). A default is left out when an option of its kind is set anywhere already,
 * so that it never fights the user's choice (two garbage collectors even stop the JVM).
 */
final class WorkerJvmOptions {

	private static final long INITIAL_HEAP_MEGABYTES = 64;

	/**
	 * Defaults for workers. Not {@code -XX:TieredStopAtLevel=1}: it halves start-up CPU but
	 * leaves only the C1 compiler, whose code got through a third to two thirds less work per
	 * CPU second on the sample's {@code /cpu} loop than C2's (bench/results/coldstart-*.md); a worker
	 * lives much longer than it starts. Not {@code -XX:ReservedCodeCacheSize}: a code cache
	 * that fills up turns the JIT compiler off for good, and reserved space costs no memory.
	 */
	private static final List<Default> DEFAULTS = List.of(
			// The serial collector: no GC threads and the smallest footprint, for a JVM that
			// shares few cores with its siblings.
			new Default("-XX:+UseSerialGC", matching("-XX:[+-]Use\\w*GC")),
			// Request threads rarely need 1 MB of stack.
			new Default("-Xss512k", matching("-Xss.*|-XX:ThreadStackSize=.*")),
			// Start with a small heap and let it grow: the default initial heap (1/64 of the
			// machine's memory) has a young generation that every worker touches in full.
			new Default("-Xms" + INITIAL_HEAP_MEGABYTES + "m",
					matching("-Xms.*|-XX:InitialHeapSize=.*|-XX:InitialRAMPercentage=.*|-XX:MinHeapSize=.*")),
			// A worker out of heap is in an unknown state (any thread may have lost an
			// allocation): better to exit and be replaced, which is what the process boundary is
			// for, than to limp on. A heap dump or crash option of the user's says otherwise.
			new Default("-XX:+ExitOnOutOfMemoryError",
					matching("-XX:[+-](ExitOnOutOfMemoryError|CrashOnOutOfMemoryError)|-XX:OnOutOfMemoryError=.*")));

	/** Options that set the maximum heap. */
	private static final Predicate<String> MAX_HEAP = matching(
			"-Xmx.*|-XX:MaxHeapSize=.*|-XX:MaxRAMPercentage=.*|-XX:MaxRAMFraction=.*|-XX:MaxRAM=.*");

	private static final Pattern XMX = Pattern.compile("-Xmx(\\d+)([kKmMgG]?)");

	private WorkerJvmOptions() {
	}

	/**
	 * Return the options for workers only.
	 * @param worker the worker settings
	 * @param inherited the options workers get anyway: the master's JVM options (argument
	 * files expanded) and those of {@code JDK_JAVA_OPTIONS} and {@code JAVA_TOOL_OPTIONS}
	 * @param trimsNativeHeap whether the JVM knows {@link NativeHeapTrim#OPTION}
	 * @return the options, to follow the master's own
	 */
	static List<String> of(PreforkSettings.Worker worker, List<String> inherited, boolean trimsNativeHeap) {
		List<String> given = new ArrayList<>(inherited);
		given.addAll(worker.jvmOptions());
		List<String> options = new ArrayList<>();
		if (worker.maxHeapBytes() > 0) {
			options.add("-Xmx" + (worker.maxHeapBytes() / 1024) + "k");
		}
		given.addAll(options);
		if (worker.jvmDefaults()) {
			boolean roomForInitialHeap = maxHeapMegabytes(given) >= INITIAL_HEAP_MEGABYTES;
			for (Default option : DEFAULTS) {
				if (given.stream().noneMatch(option.kind())
						&& (roomForInitialHeap || !option.value().startsWith("-Xms"))) {
					options.add(option.value());
				}
			}
			if (trimsNativeHeap && given.stream().noneMatch(NativeHeapTrim.KIND)) {
				options.add(NativeHeapTrim.OPTION);
			}
		}
		options.addAll(worker.jvmOptions());
		return options;
	}

	// The last maximum heap option wins; one that is not a plain -Xmx is taken as small (0), so
	// that an initial heap default can never exceed it and stop the JVM. Long.MAX_VALUE: none.
	static long maxHeapMegabytes(List<String> options) {
		long megabytes = Long.MAX_VALUE;
		for (String option : options) {
			Matcher xmx = XMX.matcher(option);
			if (xmx.matches()) {
				long value = Long.parseLong(xmx.group(1));
				megabytes = switch (xmx.group(2).toLowerCase(Locale.ROOT)) {
					case "g" -> value * 1024;
					case "m" -> value;
					case "k" -> value / 1024;
					default -> value / (1024 * 1024);
				};
			}
			else if (MAX_HEAP.test(option)) {
				megabytes = 0;
			}
		}
		return megabytes;
	}

	private static Predicate<String> matching(String regex) {
		return Pattern.compile(regex).asMatchPredicate();
	}

	private record Default(String value, Predicate<String> kind) {
	}

}
