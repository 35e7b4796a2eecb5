package io.prefork.protocol;

import java.nio.ByteBuffer;

/**
 * Frames messages as one type byte followed by one big-endian long. Every frame is
 * {@link #FRAME_SIZE} bytes, so a short or long packet is a protocol error, not a guess.
 */
public final class MessageCodec {

	/** The size of every frame. */
	public static final int FRAME_SIZE = 9;

	private static final byte HANDOFF = 1;

	private static final byte READY = 2;

	private static final byte ACCEPTED = 3;

	private static final byte CLOSED = 4;

	private static final byte ACCEPT_COMMAND = 5;

	private static final byte NOT_ACCEPTED = 6;

	private static final byte HEARTBEAT = 7;

	private static final byte REQUEST_TIMED_OUT = 8;

	private static final byte SHUTDOWN_REQUEST = 9;

	private static final byte POOL_COMMAND = 10;

	private static final byte RETIRE = 11;

	private MessageCodec() {
	}

	/**
	 * Encode a message.
	 * @param message the message
	 * @return its frame
	 */
	public static byte[] encode(Message message) {
		ByteBuffer frame = ByteBuffer.allocate(FRAME_SIZE);
		if (message instanceof Message.Handoff handoff) {
			frame.put(HANDOFF).putLong(handoff.connectionId());
		}
		else if (message instanceof Message.Ready ready) {
			frame.put(READY).putLong(ready.pid());
		}
		else if (message instanceof Message.Accepted accepted) {
			frame.put(ACCEPTED).putLong(accepted.connectionId());
		}
		else if (message instanceof Message.Closed closed) {
			frame.put(CLOSED).putLong(closed.connectionId());
		}
		else if (message instanceof Message.AcceptCommand command) {
			frame.put(ACCEPT_COMMAND).putLong(command.connectionId());
		}
		else if (message instanceof Message.NotAccepted notAccepted) {
			frame.put(NOT_ACCEPTED).putLong(notAccepted.connectionId());
		}
		else if (message instanceof Message.Heartbeat heartbeat) {
			frame.put(HEARTBEAT).putLong(heartbeat.requestsServed());
		}
		else if (message instanceof Message.RequestTimedOut timedOut) {
			frame.put(REQUEST_TIMED_OUT).putLong(timedOut.elapsedMillis());
		}
		else if (message instanceof Message.ShutdownRequest shutdown) {
			frame.put(SHUTDOWN_REQUEST).putLong(shutdown.exitCode());
		}
		else if (message instanceof Message.PoolCommand command) {
			frame.put(POOL_COMMAND).putLong(command.command());
		}
		else if (message instanceof Message.Retire retire) {
			frame.put(RETIRE).putLong(retire.reason());
		}
		return frame.array();
	}

	/**
	 * Decode a frame.
	 * @param bytes the buffer holding it
	 * @param length the packet's length
	 * @return the message
	 * @throws ProtocolException if the frame is malformed
	 */
	public static Message decode(byte[] bytes, int length) {
		if (length != FRAME_SIZE) {
			throw new ProtocolException("frame of " + length + " bytes, expected " + FRAME_SIZE);
		}
		ByteBuffer frame = ByteBuffer.wrap(bytes, 0, length);
		byte type = frame.get();
		long value = frame.getLong();
		return switch (type) {
			case HANDOFF -> new Message.Handoff(value);
			case READY -> new Message.Ready(value);
			case ACCEPTED -> new Message.Accepted(value);
			case CLOSED -> new Message.Closed(value);
			case ACCEPT_COMMAND -> new Message.AcceptCommand(value);
			case NOT_ACCEPTED -> new Message.NotAccepted(value);
			case HEARTBEAT -> new Message.Heartbeat(value);
			case REQUEST_TIMED_OUT -> new Message.RequestTimedOut(value);
			case SHUTDOWN_REQUEST -> new Message.ShutdownRequest(value);
			case POOL_COMMAND -> new Message.PoolCommand(value);
			case RETIRE -> new Message.Retire(value);
			default -> throw new ProtocolException("unknown message type " + type);
		};
	}

}
