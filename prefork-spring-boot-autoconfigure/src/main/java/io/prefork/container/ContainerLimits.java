package io.prefork.container;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * The memory and CPU limits of the control group this process runs in, read from cgroup v2
 * ({@code memory.max}, {@code cpu.max}) or, where a controller is not there, cgroup v1
 * ({@code memory.limit_in_bytes}, {@code cpu.cfs_quota_us}). The lowest limit on the way
 * from the process's own group up to the root of the mount counts: a pod's limit often sits
 * on a parent of the container's group.
 *
 * @param memoryBytes the memory limit, empty for none
 * @param cpus the CPU limit in processors (a quota may be fractional), empty for none
 */
public record ContainerLimits(OptionalLong memoryBytes, OptionalDouble cpus) {

	/** No limit at all, as on a plain machine. */
	public static final ContainerLimits NONE = new ContainerLimits(OptionalLong.empty(), OptionalDouble.empty());

	// cgroup v1 reports "no limit" as a huge page-aligned number (LONG_MAX rounded down).
	private static final long V1_UNLIMITED = 1L << 62;

	/**
	 * Read the limits of this process.
	 * @return the limits, {@link #NONE} if no cgroup file can be read
	 */
	public static ContainerLimits ofThisProcess() {
		return read(Path.of("/proc/self/cgroup"), Path.of("/proc/self/mountinfo"), Path.of("/"));
	}

	/**
	 * Read the limits of a process from the files named (a test gives its own tree).
	 * @param cgroupFile the process's {@code /proc/<pid>/cgroup}
	 * @param mountInfoFile the process's {@code /proc/<pid>/mountinfo}
	 * @param root where the mount points in the mount information are found
	 * @return the limits, {@link #NONE} if the files cannot be read
	 */
	static ContainerLimits read(Path cgroupFile, Path mountInfoFile, Path root) {
		List<String> groups = lines(cgroupFile);
		List<Mount> mounts = lines(mountInfoFile).stream().map(Mount::parse).filter((mount) -> mount != null).toList();
		List<Path> memory = directories(groups, mounts, root, "memory");
		List<Path> cpu = directories(groups, mounts, root, "cpu");
		return new ContainerLimits(memoryLimit(memory), cpuLimit(cpu));
	}

	/**
	 * Describe the limits for a log line, e.g. {@code memory 1 GiB, CPU 1.5}.
	 * @return the description
	 */
	public String describe() {
		String memory = this.memoryBytes.isPresent() ? "memory " + Sizes.describe(this.memoryBytes.getAsLong())
				: "no memory limit";
		String cpu = this.cpus.isPresent() ? "CPU " + formatCpus(this.cpus.getAsDouble()) : "no CPU limit";
		return memory + ", " + cpu;
	}

	private static String formatCpus(double cpus) {
		return (cpus == Math.rint(cpus)) ? Long.toString((long) cpus) : String.format(Locale.ROOT, "%.2f", cpus);
	}

	// The lowest limit of any directory that has one.
	private static OptionalLong memoryLimit(List<Path> directories) {
		long lowest = Long.MAX_VALUE;
		for (Path directory : directories) {
			lowest = Math.min(lowest, parseV2Memory(read(directory.resolve("memory.max"))));
			lowest = Math.min(lowest, parseV1Memory(read(directory.resolve("memory.limit_in_bytes"))));
		}
		return (lowest == Long.MAX_VALUE) ? OptionalLong.empty() : OptionalLong.of(lowest);
	}

	private static OptionalDouble cpuLimit(List<Path> directories) {
		double lowest = Double.MAX_VALUE;
		for (Path directory : directories) {
			lowest = Math.min(lowest, parseV2Cpu(read(directory.resolve("cpu.max"))));
			lowest = Math.min(lowest, parseV1Cpu(read(directory.resolve("cpu.cfs_quota_us")),
					read(directory.resolve("cpu.cfs_period_us"))));
		}
		return (lowest == Double.MAX_VALUE) ? OptionalDouble.empty() : OptionalDouble.of(lowest);
	}

	/**
	 * Parse a cgroup v2 {@code memory.max}: bytes or {@code max}.
	 * @param content the file's content, {@code null} if absent
	 * @return the limit, {@link Long#MAX_VALUE} for none
	 */
	static long parseV2Memory(String content) {
		if (content == null || content.equals("max")) {
			return Long.MAX_VALUE;
		}
		return parseBytes(content);
	}

	/**
	 * Parse a cgroup v1 {@code memory.limit_in_bytes}.
	 * @param content the file's content, {@code null} if absent
	 * @return the limit, {@link Long#MAX_VALUE} for none
	 */
	static long parseV1Memory(String content) {
		if (content == null) {
			return Long.MAX_VALUE;
		}
		long bytes = parseBytes(content);
		return (bytes >= V1_UNLIMITED) ? Long.MAX_VALUE : bytes;
	}

	/**
	 * Parse a cgroup v2 {@code cpu.max}: {@code <quota> <period>}, quota {@code max} for none.
	 * @param content the file's content, {@code null} if absent
	 * @return processors, {@link Double#MAX_VALUE} for no limit
	 */
	static double parseV2Cpu(String content) {
		if (content == null) {
			return Double.MAX_VALUE;
		}
		String[] fields = content.split("\\s+");
		if (fields[0].equals("max")) {
			return Double.MAX_VALUE;
		}
		return quota(fields[0], (fields.length > 1) ? fields[1] : "100000");
	}

	/**
	 * Parse cgroup v1 {@code cpu.cfs_quota_us} ({@code -1} for none) and
	 * {@code cpu.cfs_period_us}.
	 * @param quota the quota file's content, {@code null} if absent
	 * @param period the period file's content, {@code null} if absent
	 * @return processors, {@link Double#MAX_VALUE} for no limit
	 */
	static double parseV1Cpu(String quota, String period) {
		if (quota == null || quota.startsWith("-")) {
			return Double.MAX_VALUE;
		}
		return quota(quota, (period != null) ? period : "100000");
	}

	private static double quota(String quota, String period) {
		try {
			double value = Long.parseLong(quota) / (double) Long.parseLong(period);
			return (value > 0) ? value : Double.MAX_VALUE;
		}
		catch (NumberFormatException ex) {
			return Double.MAX_VALUE;
		}
	}

	private static long parseBytes(String content) {
		try {
			BigInteger value = new BigInteger(content);
			return (value.bitLength() < 63) ? value.longValue() : Long.MAX_VALUE;
		}
		catch (NumberFormatException ex) {
			return Long.MAX_VALUE;
		}
	}

	// The process's group directory in each mount of the controller (v2 and v1) and its
	// parents up to the mount point.
	private static List<Path> directories(List<String> groups, List<Mount> mounts, Path root, String controller) {
		List<Path> directories = new ArrayList<>();
		for (String line : groups) {
			String[] fields = line.split(":", 3);
			if (fields.length != 3) {
				continue;
			}
			boolean unified = fields[0].equals("0") && fields[1].isEmpty();
			boolean v1 = List.of(fields[1].split(",")).contains(controller);
			for (Mount mount : mounts) {
				if ((unified && mount.unified()) || (v1 && !mount.unified() && mount.controllers().contains(controller))) {
					directories.addAll(mount.directories(root, fields[2]));
				}
			}
		}
		return directories;
	}

	private static List<String> lines(Path file) {
		try {
			return Files.readAllLines(file);
		}
		catch (IOException | RuntimeException ex) {
			return List.of();
		}
	}

	private static String read(Path file) {
		try {
			return Files.isRegularFile(file) ? Files.readString(file).trim() : null;
		}
		catch (IOException | RuntimeException ex) {
			return null;
		}
	}

	/**
	 * One cgroup file system mount from {@code mountinfo}.
	 *
	 * @param groupRoot the group the mount shows as its root (not {@code /} in a container
	 * that mounts only its own group)
	 * @param mountPoint where it is mounted
	 * @param unified whether it is cgroup v2
	 * @param controllers the v1 controllers it carries
	 */
	private record Mount(String groupRoot, String mountPoint, boolean unified, List<String> controllers) {

		// "36 25 0:31 / /sys/fs/cgroup/memory rw,relatime shared:14 - cgroup cgroup rw,memory"
		static Mount parse(String line) {
			int separator = line.indexOf(" - ");
			if (separator < 0) {
				return null;
			}
			String[] before = line.substring(0, separator).split(" ");
			String[] after = line.substring(separator + 3).split(" ");
			if (before.length < 5 || after.length < 3) {
				return null;
			}
			if (after[0].equals("cgroup2")) {
				return new Mount(before[3], before[4], true, List.of());
			}
			if (after[0].equals("cgroup")) {
				return new Mount(before[3], before[4], false, List.of(after[2].split(",")));
			}
			return null;
		}

		// The group's directory under this mount and every parent up to the mount point. A
		// group outside the mount's root (a container seeing the host's path) is the root.
		List<Path> directories(Path root, String group) {
			Path mount = root.resolve(this.mountPoint.substring(1));
			String relative = "";
			if (this.groupRoot.equals("/")) {
				relative = group;
			}
			else if (group.startsWith(this.groupRoot)) {
				relative = group.substring(this.groupRoot.length());
			}
			Path directory = mount.resolve(relative.replaceFirst("^/+", ""));
			if (!Files.isDirectory(directory)) {
				directory = mount;
			}
			List<Path> directories = new ArrayList<>();
			for (Path each = directory; each != null && each.startsWith(mount); each = each.getParent()) {
				directories.add(each);
			}
			return directories;
		}

	}

}
