package io.prefork.actuate;

import java.util.Set;
import java.util.SortedMap;

/**
 * How a read operation answers for the whole pool: this worker's result merged with the
 * other workers' answers.
 */
interface PoolRead {

	/**
	 * Merge.
	 * @param local this worker's result
	 * @param slot this worker's slot
	 * @param others the other workers' answers, by slot (those that answered 200 only)
	 * @param liveSlots every slot that holds a worker
	 * @return the pool's result
	 */
	Object merge(Object local, int slot, SortedMap<Integer, OperationAnswer> others, Set<Integer> liveSlots);

}
