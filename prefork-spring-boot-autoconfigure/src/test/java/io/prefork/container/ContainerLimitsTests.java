package io.prefork.container;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalDouble;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class ContainerLimitsTests {

	private static final long GIB = 1L << 30;

	@TempDir
	Path root;

	@Test
	void parsesCgroupV2Files() {
		assertThat(ContainerLimits.parseV2Memory("1073741824")).isEqualTo(GIB);
		assertThat(ContainerLimits.parseV2Memory("max")).isEqualTo(Long.MAX_VALUE);
		assertThat(ContainerLimits.parseV2Cpu("150000 100000")).isEqualTo(1.5);
		assertThat(ContainerLimits.parseV2Cpu("max 100000")).isEqualTo(Double.MAX_VALUE);
	}

	@Test
	void parsesCgroupV1Files() {
		assertThat(ContainerLimits.parseV1Memory("536870912")).isEqualTo(GIB / 2);
		assertThat(ContainerLimits.parseV1Memory("9223372036854771712")).isEqualTo(Long.MAX_VALUE);
		assertThat(ContainerLimits.parseV1Cpu("200000", "100000")).isEqualTo(2.0);
		assertThat(ContainerLimits.parseV1Cpu("-1", "100000")).isEqualTo(Double.MAX_VALUE);
	}

	@Test
	void readsAContainerWithItsOwnGroupAsTheRootOfACgroupV2Mount() throws IOException {
		write("proc/cgroup", "0::/");
		write("proc/mountinfo", "30 25 0:26 / /sys/fs/cgroup ro,nosuid - cgroup2 cgroup2 rw");
		write("sys/fs/cgroup/memory.max", "1073741824\n");
		write("sys/fs/cgroup/cpu.max", "200000 100000\n");
		assertThat(read()).isEqualTo(new ContainerLimits(OptionalLong.of(GIB), OptionalDouble.of(2)));
	}

	@Test
	void takesTheLowestLimitOnTheWayToTheRoot() throws IOException {
		// A pod's limit on the pod's group, none on the container's own group.
		write("proc/cgroup", "0::/kubepods/pod1/container1");
		write("proc/mountinfo", "30 25 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw");
		write("sys/fs/cgroup/kubepods/pod1/container1/memory.max", "max");
		write("sys/fs/cgroup/kubepods/pod1/memory.max", "536870912");
		write("sys/fs/cgroup/kubepods/memory.max", "1073741824");
		assertThat(read().memoryBytes()).hasValue(GIB / 2);
		assertThat(read().cpus()).isEmpty();
	}

	@Test
	void readsCgroupV1ControllersInAHybridLayout() throws IOException {
		write("proc/cgroup", "4:memory:/prefork-it\n3:cpu,cpuacct:/prefork-it\n0::/\n");
		write("proc/mountinfo", """
				30 25 0:26 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw
				31 25 0:27 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory
				32 25 0:28 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct
				""");
		write("sys/fs/cgroup/unified/cpu.stat", "usage_usec 1");
		write("sys/fs/cgroup/memory/prefork-it/memory.limit_in_bytes", "1073741824");
		write("sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712");
		write("sys/fs/cgroup/cpu,cpuacct/prefork-it/cpu.cfs_quota_us", "50000");
		write("sys/fs/cgroup/cpu,cpuacct/prefork-it/cpu.cfs_period_us", "100000");
		assertThat(read()).isEqualTo(new ContainerLimits(OptionalLong.of(GIB), OptionalDouble.of(0.5)));
	}

	@Test
	void readsAV1MountWhoseRootIsTheContainersGroup() throws IOException {
		// Docker on cgroup v1: /proc/self/cgroup names the host's path, the mount shows it as /.
		write("proc/cgroup", "4:memory:/docker/abc");
		write("proc/mountinfo", "31 25 0:27 /docker/abc /sys/fs/cgroup/memory ro - cgroup cgroup rw,memory");
		write("sys/fs/cgroup/memory/memory.limit_in_bytes", "268435456");
		assertThat(read().memoryBytes()).hasValue(GIB / 4);
	}

	@Test
	void findsNoLimitsWithoutCgroupFiles() {
		assertThat(read()).isEqualTo(ContainerLimits.NONE);
	}

	@Test
	void describesLimits() {
		assertThat(new ContainerLimits(OptionalLong.of(GIB), OptionalDouble.of(1.5)).describe())
			.isEqualTo("memory 1 GiB, CPU 1.50");
		assertThat(ContainerLimits.NONE.describe()).isEqualTo("no memory limit, no CPU limit");
	}

	private ContainerLimits read() {
		return ContainerLimits.read(this.root.resolve("proc/cgroup"), this.root.resolve("proc/mountinfo"), this.root);
	}

	private void write(String file, String content) throws IOException {
		Path path = this.root.resolve(file);
		Files.createDirectories(path.getParent());
		Files.writeString(path, content);
	}

}
