package io.prefork.pool;

import io.prefork.SqlInitialization;

/**
 * The order of starts that lets the first worker initialise the database alone: until a
 * worker has been ready, one worker starts at a time and initialises; every worker started
 * after one was ready skips it. A first worker that dies before it is ready is replaced by
 * one that initialises in its turn.
 */
public final class SqlInitOrder {

	private SqlInitOrder() {
	}

	/**
	 * How many of the workers the pool wants may start now.
	 * @param mode which workers initialise the database
	 * @param anyWorkerEverReady whether a worker of this pool has been ready
	 * @param wanted workers the pool wants started
	 * @param starting workers starting
	 * @return at most {@code wanted}
	 */
	public static int startsAllowed(SqlInitialization mode, boolean anyWorkerEverReady, int wanted, int starting) {
		if (mode != SqlInitialization.FIRST_WORKER || anyWorkerEverReady) {
			return wanted;
		}
		return (starting == 0) ? Math.min(wanted, 1) : 0;
	}

	/**
	 * Whether a worker starting now initialises the database.
	 * @param mode which workers initialise the database
	 * @param anyWorkerEverReady whether a worker of this pool has been ready
	 * @return {@code true} if it does
	 */
	public static boolean initialises(SqlInitialization mode, boolean anyWorkerEverReady) {
		return mode == SqlInitialization.EVERY_WORKER || !anyWorkerEverReady;
	}

}
