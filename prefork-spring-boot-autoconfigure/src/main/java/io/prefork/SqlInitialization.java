package io.prefork;

/**
 * Which workers run the application's database initialisation (SQL scripts, Flyway,
 * Liquibase, schema creation by Hibernate or Spring Session): each process runs it as it
 * starts, so a pool would run it once per worker.
 */
public enum SqlInitialization {

	/** Every worker runs it, as every plain Spring Boot application does. */
	EVERY_WORKER,

	/**
	 * The first worker of the pool runs it alone; the master starts the others once that
	 * one is ready, and they, any replacement and any later worker skip it.
	 */
	FIRST_WORKER

}
