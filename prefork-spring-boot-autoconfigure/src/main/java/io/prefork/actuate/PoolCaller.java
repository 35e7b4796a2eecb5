package io.prefork.actuate;

import java.io.IOException;
import java.util.List;

import io.prefork.worker.PoolCalls;

/**
 * Runs a request on every other worker of the pool, through the master.
 */
@FunctionalInterface
public interface PoolCaller {

	/**
	 * Run a request on every other worker and wait for their answers.
	 * @param request the request
	 * @return one answer per other worker
	 * @throws IOException if the call could not be made or the master did not finish it
	 */
	List<PoolCalls.Answer> call(byte[] request) throws IOException;

}
