package io.prefork.protocol;

/**
 * A malformed message on a control channel: the peer is not speaking our protocol.
 */
public class ProtocolException extends RuntimeException {

	/**
	 * Create an exception.
	 * @param message what was wrong
	 */
	public ProtocolException(String message) {
		super(message);
	}

}
