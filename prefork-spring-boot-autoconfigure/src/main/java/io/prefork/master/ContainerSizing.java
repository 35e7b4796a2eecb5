package io.prefork.master;

import java.lang.management.ManagementFactory;
import java.util.OptionalLong;

import com.sun.management.HotSpotDiagnosticMXBean;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.prefork.PoolMode;
import io.prefork.PreforkSettings;
import io.prefork.container.ContainerLimits;
import io.prefork.container.MemoryPlan;

/**
 * Gives workers their share of a container's memory limit as their maximum heap, and logs
 * the plan. Without a limit (or with sizing off) workers are sized as before: by the JVM, the
 * master's command line or the user's options.
 */
final class ContainerSizing {

	private static final Log logger = LogFactory.getLog(ContainerSizing.class);

	private ContainerSizing() {
	}

	/**
	 * Return the worker settings for this process's container.
	 * @param settings the settings
	 * @return the worker settings, with a planned maximum heap where a limit asks for one
	 * @throws io.prefork.PreforkException if the pool cannot fit in the limit
	 */
	static PreforkSettings.Worker forThisProcess(PreforkSettings settings) {
		return apply(settings, ContainerLimits.ofThisProcess(), masterHeapBytes());
	}

	/**
	 * Return the worker settings for a container.
	 * @param settings the settings
	 * @param limits the container's limits
	 * @param masterHeapBytes the master's own maximum heap
	 * @return the worker settings, with a planned maximum heap where a limit asks for one
	 * @throws io.prefork.PreforkException if the pool cannot fit in the limit
	 */
	static PreforkSettings.Worker apply(PreforkSettings settings, ContainerLimits limits, long masterHeapBytes) {
		PreforkSettings.Worker worker = settings.worker();
		PreforkSettings.Container container = worker.container();
		OptionalLong limit = (container.memoryLimitBytes() > 0) ? OptionalLong.of(container.memoryLimitBytes())
				: limits.memoryBytes();
		if (!container.sizing() || limit.isEmpty()) {
			logger.debug("No memory plan for workers (" + (container.sizing() ? limits.describe() : "sizing off") + ")");
			return worker;
		}
		long explicit = explicitWorkerHeapBytes(worker);
		if (explicit < 0) {
			logger.info("Worker heap as set in server.prefork.worker.jvm-options, not planned for the "
					+ limits.describe());
			return worker;
		}
		// A dynamic pool may grow to max-workers: plan for all of them at once.
		int workers = (settings.pool().mode() == PoolMode.DYNAMIC) ? settings.pool().maxWorkers() : settings.workers();
		MemoryPlan plan = MemoryPlan.of(limit.getAsLong(), workers, masterHeapBytes, container.nonHeapBytes(),
				explicit);
		String line = "Memory plan: " + plan.describe() + " (cgroup: " + limits.describe() + ")";
		if (plan.fits()) {
			logger.info(line);
		}
		else {
			logger.warn(line + ": needs up to " + (plan.neededBytes() >> 20)
					+ " MB, so the kernel may kill processes under load");
		}
		return plan.explicit() ? worker : worker.withMaxHeapBytes(plan.workerHeapBytes());
	}

	// The worker heap the user chose: max-heap, else a plain -Xmx in jvm-options (the master's
	// own -Xmx sizes the master only in a container); -1 for a heap option that is not a
	// plain size (a percentage), which the plan cannot count.
	private static long explicitWorkerHeapBytes(PreforkSettings.Worker worker) {
		if (worker.maxHeapBytes() > 0) {
			return worker.maxHeapBytes();
		}
		long megabytes = WorkerJvmOptions.maxHeapMegabytes(worker.jvmOptions());
		if (megabytes == Long.MAX_VALUE) {
			return 0;
		}
		return (megabytes > 0) ? megabytes << 20 : -1;
	}

	// The heap this JVM may grow to, as set (Runtime.maxMemory() leaves out a survivor space).
	private static long masterHeapBytes() {
		try {
			HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
			return Long.parseLong(vm.getVMOption("MaxHeapSize").getValue());
		}
		catch (RuntimeException ex) {
			return Runtime.getRuntime().maxMemory();
		}
	}

}
