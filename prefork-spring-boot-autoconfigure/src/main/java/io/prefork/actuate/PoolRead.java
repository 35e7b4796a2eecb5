package io.prefork.actuate;

import java.io.Serializable;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;

/**
 * How a read operation answers for the whole pool: this worker's result merged with the
 * other workers' answers.
 */
interface PoolRead {

	/**
	 * Return the arguments every worker runs the operation with.
	 * @param arguments the arguments the client gave
	 * @return the arguments for the workers
	 */
	default Map<String, Object> arguments(Map<String, Object> arguments) {
		return arguments;
	}

	/**
	 * Return what another worker's merge needs of this worker's result, beyond a text body.
	 * @param key the operation
	 * @param result the result
	 * @return what to send, or {@code null}
	 */
	default Serializable share(OperationKey key, Object result) {
		return null;
	}

	/**
	 * Merge.
	 * @param key the operation
	 * @param arguments the arguments the client gave
	 * @param local this worker's result
	 * @param slot this worker's slot
	 * @param others the other workers' answers, by slot (those that did not fail)
	 * @param liveSlots every slot that holds a worker
	 * @return the pool's result
	 */
	Object merge(OperationKey key, Map<String, Object> arguments, Object local, int slot,
			SortedMap<Integer, OperationAnswer> others, Set<Integer> liveSlots);

}
