package io.prefork.pool;

/**
 * What a worker last did with a connection the master handed it, as far as the master must
 * know to answer for it should the worker die. The worker records it in shared memory as
 * bytes cross the socket, so it survives the worker.
 */
public enum ConnectionState {

	/** Handed over; the worker has read nothing from it yet. */
	FRESH,

	/** The worker read request bytes and has written nothing since: a request awaits its answer. */
	AWAITING_ANSWER,

	/** The worker wrote since it last read: an answer is complete, or under way. */
	ANSWERED,

	/** Not plain HTTP/1.x (TLS, HTTP/2, a WebSocket): only the worker could answer it. */
	OPAQUE;

	private static final ConnectionState[] VALUES = values();

	/**
	 * Decode a stored state.
	 * @param code an {@link #ordinal()}
	 * @return the state, {@link #FRESH} for anything unknown
	 */
	public static ConnectionState of(int code) {
		return (code >= 0 && code < VALUES.length) ? VALUES[code] : FRESH;
	}

}
