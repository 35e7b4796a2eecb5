package io.prefork.container;

import io.prefork.PreforkException;

/**
 * How a memory limit is split between the master and its workers. Every JVM sizes its heap
 * from the limit as if it were alone (a quarter of it by default), so a master and N workers
 * would reserve (N+1)/4 of the limit for heap alone. The plan gives each worker an explicit
 * maximum heap instead: its share of what is left once the master's heap and each JVM's
 * memory beyond the heap are set aside.
 *
 * @param limitBytes the memory limit the whole tree must fit in
 * @param workers the most workers there are at once
 * @param masterHeapBytes the master's maximum heap
 * @param nonHeapBytes the memory each JVM uses beyond its heap (metaspace, code cache,
 * thread stacks, the JVM itself)
 * @param workerHeapBytes each worker's maximum heap
 * @param explicit whether the worker heap was given by the user rather than planned
 */
public record MemoryPlan(long limitBytes, int workers, long masterHeapBytes, long nonHeapBytes, long workerHeapBytes,
		boolean explicit) {

	/** The smallest heap the plan gives a worker: a Spring web application needs this much. */
	public static final long MIN_WORKER_HEAP_BYTES = 64 * Sizes.MB;

	/**
	 * Plan worker heaps for a memory limit.
	 * @param limitBytes the memory limit
	 * @param workers the most workers there are at once
	 * @param masterHeapBytes the master's maximum heap
	 * @param nonHeapBytes the memory each JVM uses beyond its heap
	 * @param explicitWorkerHeapBytes the worker heap the user chose, {@code 0} for none
	 * @return the plan
	 * @throws PreforkException if the workers cannot fit, saying what would
	 */
	public static MemoryPlan of(long limitBytes, int workers, long masterHeapBytes, long nonHeapBytes,
			long explicitWorkerHeapBytes) {
		if (explicitWorkerHeapBytes > 0) {
			return new MemoryPlan(limitBytes, workers, masterHeapBytes, nonHeapBytes, explicitWorkerHeapBytes, true);
		}
		long share = (limitBytes - masterHeapBytes - (long) (workers + 1) * nonHeapBytes) / workers;
		// Whole megabytes: -Xmx rounds anyway, and the log line stays exact.
		long heap = share / Sizes.MB * Sizes.MB;
		MemoryPlan plan = new MemoryPlan(limitBytes, workers, masterHeapBytes, nonHeapBytes, heap, false);
		if (heap < MIN_WORKER_HEAP_BYTES) {
			throw plan.doesNotFit();
		}
		return plan;
	}

	/**
	 * Return the memory the whole tree may use at most: every heap full, plus each JVM's
	 * memory beyond its heap.
	 * @return the bytes
	 */
	public long neededBytes() {
		return this.masterHeapBytes + (long) this.workers * this.workerHeapBytes
				+ (long) (this.workers + 1) * this.nonHeapBytes;
	}

	/**
	 * Whether the tree fits in the limit (a planned one always does; an explicit worker heap
	 * may not).
	 * @return {@code true} if it fits
	 */
	public boolean fits() {
		return neededBytes() <= this.limitBytes;
	}

	/**
	 * Describe the plan, e.g.
	 * {@code 4 workers x 160 MB heap, master 32 MB heap, 140 MB beyond heap per JVM, in a 1 GiB limit}.
	 * @return the description
	 */
	public String describe() {
		// ASCII only: a container without a UTF-8 locale prints a multiplication sign as '?'.
		return this.workers + ((this.workers == 1) ? " worker x " : " workers x ")
				+ Sizes.describe(this.workerHeapBytes) + " heap" + (this.explicit ? " (as configured)" : "")
				+ ", master " + Sizes.describe(this.masterHeapBytes) + " heap, " + Sizes.describe(this.nonHeapBytes)
				+ " beyond heap per JVM, in a " + Sizes.describe(this.limitBytes) + " limit";
	}

	/**
	 * Return the most workers that fit in the limit with the smallest planned heap.
	 * @return the count, maybe 0
	 */
	public int workersThatFit() {
		long perWorker = MIN_WORKER_HEAP_BYTES + this.nonHeapBytes;
		return (int) Math.max(0, (this.limitBytes - this.masterHeapBytes - this.nonHeapBytes) / perWorker);
	}

	/**
	 * Return the smallest limit in which these workers get the smallest planned heap.
	 * @return the bytes
	 */
	public long limitThatFits() {
		return this.masterHeapBytes + (long) this.workers * MIN_WORKER_HEAP_BYTES
				+ (long) (this.workers + 1) * this.nonHeapBytes;
	}

	private PreforkException doesNotFit() {
		int fitting = workersThatFit();
		String description = this.workers + " workers do not fit in the " + Sizes.describe(this.limitBytes)
				+ " memory limit: each JVM needs about " + Sizes.describe(this.nonHeapBytes)
				+ " beyond its heap, the master has a " + Sizes.describe(this.masterHeapBytes)
				+ " heap, and a worker needs at least " + Sizes.describe(MIN_WORKER_HEAP_BYTES)
				+ " of heap; that leaves " + Sizes.describe(Math.max(0, this.workerHeapBytes)) + " per worker.";
		String fewer = (fitting >= 1) ? "Run at most " + fitting + ((fitting == 1) ? " worker" : " workers")
				+ " in this limit ('server.prefork.workers=" + fitting + "'), or raise" : "Raise";
		String action = fewer + " the container's memory limit to at least "
				+ Sizes.megabytes(limitThatFits()) + "Mi for " + this.workers + " workers"
				+ ". A smaller master heap (-Xmx on the java command line) leaves more for workers; "
				+ "'server.prefork.worker.max-heap' sets the worker heap yourself.";
		return new PreforkException(description, action, null);
	}

}
