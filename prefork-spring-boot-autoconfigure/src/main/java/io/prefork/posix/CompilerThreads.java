package io.prefork.posix;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The CPU time this JVM's JIT compiler threads have used, read from {@code /proc/self/task}.
 * Not {@code CompilationMXBean}'s compilation time: that grows only when a compilation ends,
 * so a second spent in one long C2 compilation looks idle there.
 */
public final class CompilerThreads implements LongSupplier {

	private static final Path TASKS = Path.of("/proc/self/task");

	private static final int SC_CLK_TCK = 2;

	private final long millisPerTick;

	/** Each compiler thread's ticks when last read: threads come and go with the load. */
	private final Map<String, Long> ticks = new HashMap<>();

	private long totalTicks;

	private CompilerThreads(long ticksPerSecond) {
		this.millisPerTick = 1000 / ticksPerSecond;
	}

	/**
	 * A clock of the compiler threads' CPU time.
	 * @return the clock, or one that always answers -1 where it cannot be read
	 */
	public static LongSupplier clock() {
		long ticksPerSecond = LibC.INSTANCE.sysconf(SC_CLK_TCK);
		CompilerThreads threads = new CompilerThreads((ticksPerSecond > 0) ? ticksPerSecond : 100);
		return (threads.getAsLong() >= 0) ? threads : () -> -1;
	}

	/**
	 * The compiler threads' CPU time (user and system) since the first reading, counting
	 * threads that have ended since with what they had used when last read.
	 * @return milliseconds, never decreasing, or -1 if no compiler thread can be read
	 */
	@Override
	public synchronized long getAsLong() {
		boolean found = false;
		try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
			for (Path task : tasks) {
				long now = compilerTicks(task);
				if (now >= 0) {
					found = true;
					Long before = this.ticks.put(task.getFileName().toString(), now);
					this.totalTicks += Math.max(0, now - ((before != null) ? before : 0));
				}
			}
		}
		catch (IOException ex) {
			return -1;
		}
		return (found || !this.ticks.isEmpty()) ? this.totalTicks * this.millisPerTick : -1;
	}

	// utime + stime of a compiler thread ("C1 CompilerThread0", "C2 CompilerThread1", cut to
	// 15 characters), or -1 for another thread or one that has just ended.
	private static long compilerTicks(Path task) {
		try {
			if (!Files.readString(task.resolve("comm")).contains("CompilerThre")) {
				return -1;
			}
			String stat = Files.readString(task.resolve("stat"));
			// Fields after the command, which may hold spaces: state is 3rd, utime 14th, stime 15th.
			String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
			return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
		}
		catch (IOException | RuntimeException ex) {
			return -1;
		}
	}

}
