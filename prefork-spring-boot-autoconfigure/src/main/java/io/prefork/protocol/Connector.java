package io.prefork.protocol;

/**
 * Which of a worker's servers a connection belongs to: the application's own
 * ({@code server.port}) or the separate management server ({@code management.server.port}).
 */
public enum Connector {

	/** The application's server, on {@code server.port}. */
	SERVER,

	/** The management server, on a separate {@code management.server.port}. */
	MANAGEMENT

}
