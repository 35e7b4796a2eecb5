package io.prefork;

/**
 * How the master sizes the pool.
 */
public enum PoolMode {

	/** A fixed number of workers ({@code server.prefork.workers}). */
	STATIC,

	/**
	 * Apache/PHP-FPM style: start {@code workers}, spawn when idle workers fall below
	 * {@code min-spare}, retire idle ones above {@code max-spare} after {@code idle-timeout},
	 * never more than {@code max-workers}.
	 */
	DYNAMIC

}
