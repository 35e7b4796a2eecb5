package io.prefork.pool;

/**
 * What the master does with a connection whose worker died: the request a dead worker had
 * read and not answered gets a {@code 502}, nothing else is lost that need not be.
 */
public enum LostConnection {

	/** Nobody read a byte of it: another worker serves it whole, the client never knows. */
	HAND_TO_ANOTHER_WORKER,

	/** A request was read and its answer had not started: {@code 502 Bad Gateway}. */
	ANSWER_BAD_GATEWAY,

	/** Between requests, with the next one unread: {@code 503} with {@code Retry-After}. */
	ANSWER_UNAVAILABLE,

	/** Idle between requests (clients retry those), a cut answer, or not plain HTTP/1. */
	CLOSE;

	/**
	 * Decide.
	 * @param state what the worker recorded, or {@code null} if it never recorded the
	 * connection (it died before adopting it)
	 * @param consumedBytes bytes read from the socket by anyone, or {@code -1} if unknown
	 * @param pendingBytes bytes waiting unread in the socket, or {@code -1} if unknown
	 * @return the action
	 */
	public static LostConnection decide(ConnectionState state, long consumedBytes, int pendingBytes) {
		boolean untouched = (consumedBytes == 0)
				|| (consumedBytes < 0 && (state == null || state == ConnectionState.FRESH));
		if (untouched) {
			return HAND_TO_ANOTHER_WORKER;
		}
		if (state == ConnectionState.OPAQUE) {
			return CLOSE;
		}
		if (state == ConnectionState.ANSWERED) {
			return (pendingBytes > 0) ? ANSWER_UNAVAILABLE : CLOSE;
		}
		// Read and not answered, or read before the worker could record it.
		return ANSWER_BAD_GATEWAY;
	}

}
