package io.prefork.protocol;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Frames messages as one type byte followed by one big-endian long. Every frame is
 * {@link #FRAME_SIZE} bytes, so a short or long packet is a protocol error, not a guess;
 * only {@link Message.PoolCallDone} adds a tail of fixed-size answers. The
 * messages about a connection (hand-over, accepted, not accepted, closed) set
 * {@link #MANAGEMENT_FLAG} in the type byte when the connection is the management server's.
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

	private static final byte WARMING = 12;

	private static final byte POOL_CALL = 13;

	private static final byte POOL_CALL_ANSWERED = 14;

	private static final byte POOL_CALL_QUEUED = 15;

	private static final byte POOL_CALL_DONE = 16;

	private static final byte CLOSED_LEFT_OPEN = 17;

	/** The largest frame: a {@link Message.PoolCallDone} has a variable-length tail. */
	public static final int MAX_FRAME_SIZE = 65_536;

	/** The size of one answer in a {@link Message.PoolCallDone}: slot, pid, outcome. */
	private static final int ANSWER_SIZE = 9;

	/** Marks a connection message as the management server's: {@link Connector#MANAGEMENT}. */
	static final int MANAGEMENT_FLAG = 0x40;

	private MessageCodec() {
	}

	/**
	 * Encode a message.
	 * @param message the message
	 * @return its frame
	 */
	public static byte[] encode(Message message) {
		if (message instanceof Message.PoolCallDone done) {
			return encodeDone(done);
		}
		ByteBuffer frame = ByteBuffer.allocate(FRAME_SIZE);
		if (message instanceof Message.Handoff handoff) {
			frame.put(type(HANDOFF, handoff.connector())).putLong(handoff.connectionId());
		}
		else if (message instanceof Message.Ready ready) {
			frame.put(READY).putLong(ready.pid());
		}
		else if (message instanceof Message.Accepted accepted) {
			frame.put(type(ACCEPTED, accepted.connector())).putLong(accepted.connectionId());
		}
		else if (message instanceof Message.Closed closed) {
			frame.put(type(closed.leftOpen() ? CLOSED_LEFT_OPEN : CLOSED, closed.connector()))
				.putLong(closed.connectionId());
		}
		else if (message instanceof Message.AcceptCommand command) {
			frame.put(ACCEPT_COMMAND).putLong(command.connectionId());
		}
		else if (message instanceof Message.NotAccepted notAccepted) {
			frame.put(type(NOT_ACCEPTED, notAccepted.connector())).putLong(notAccepted.connectionId());
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
		else if (message instanceof Message.Warming warming) {
			frame.put(WARMING).putLong(warming.timeoutMillis());
		}
		else if (message instanceof Message.PoolCall call) {
			frame.put(POOL_CALL).putLong(call.callId());
		}
		else if (message instanceof Message.PoolCallAnswered answered) {
			frame.put(answered.queued() ? POOL_CALL_QUEUED : POOL_CALL_ANSWERED).putLong(answered.callId());
		}
		return frame.array();
	}

	private static byte[] encodeDone(Message.PoolCallDone done) {
		int size = FRAME_SIZE + ANSWER_SIZE * done.answers().size();
		if (size > MAX_FRAME_SIZE) {
			throw new ProtocolException(done.answers().size() + " answers do not fit in one frame");
		}
		ByteBuffer frame = ByteBuffer.allocate(size);
		frame.put(POOL_CALL_DONE).putLong(done.callId());
		for (Message.PoolCallDone.Answer answer : done.answers()) {
			frame.putInt(answer.slot()).putInt(answer.pid()).put((byte) answer.outcome().ordinal());
		}
		return frame.array();
	}

	private static byte type(byte type, Connector connector) {
		return (byte) ((connector == Connector.MANAGEMENT) ? (type | MANAGEMENT_FLAG) : type);
	}

	/**
	 * Decode a frame.
	 * @param bytes the buffer holding it
	 * @param length the packet's length
	 * @return the message
	 * @throws ProtocolException if the frame is malformed
	 */
	public static Message decode(byte[] bytes, int length) {
		if (length > FRAME_SIZE && bytes[0] == POOL_CALL_DONE) {
			return decodeDone(ByteBuffer.wrap(bytes, 0, length));
		}
		if (length != FRAME_SIZE) {
			throw new ProtocolException("frame of " + length + " bytes, expected " + FRAME_SIZE);
		}
		ByteBuffer frame = ByteBuffer.wrap(bytes, 0, length);
		byte type = frame.get();
		long value = frame.getLong();
		Connector connector = ((type & MANAGEMENT_FLAG) != 0) ? Connector.MANAGEMENT : Connector.SERVER;
		Message connectionMessage = switch (type & ~MANAGEMENT_FLAG) {
			case HANDOFF -> new Message.Handoff(value, connector);
			case ACCEPTED -> new Message.Accepted(value, connector);
			case NOT_ACCEPTED -> new Message.NotAccepted(value, connector);
			case CLOSED -> new Message.Closed(value, connector, false);
			case CLOSED_LEFT_OPEN -> new Message.Closed(value, connector, true);
			default -> null;
		};
		if (connectionMessage != null) {
			return connectionMessage;
		}
		return switch (type) {
			case READY -> new Message.Ready(value);
			case ACCEPT_COMMAND -> new Message.AcceptCommand(value);
			case HEARTBEAT -> new Message.Heartbeat(value);
			case REQUEST_TIMED_OUT -> new Message.RequestTimedOut(value);
			case SHUTDOWN_REQUEST -> new Message.ShutdownRequest(value);
			case POOL_COMMAND -> new Message.PoolCommand(value);
			case RETIRE -> new Message.Retire(value);
			case WARMING -> new Message.Warming(value);
			case POOL_CALL -> new Message.PoolCall(value);
			case POOL_CALL_ANSWERED -> new Message.PoolCallAnswered(value, false);
			case POOL_CALL_QUEUED -> new Message.PoolCallAnswered(value, true);
			case POOL_CALL_DONE -> new Message.PoolCallDone(value, List.of());
			default -> throw new ProtocolException("unknown message type " + type);
		};
	}

	private static Message decodeDone(ByteBuffer frame) {
		if ((frame.remaining() - FRAME_SIZE) % ANSWER_SIZE != 0) {
			throw new ProtocolException("pool call answers of " + (frame.remaining() - FRAME_SIZE) + " bytes, expected a multiple of "
					+ ANSWER_SIZE);
		}
		frame.get();
		long callId = frame.getLong();
		Message.PoolCallDone.Outcome[] outcomes = Message.PoolCallDone.Outcome.values();
		List<Message.PoolCallDone.Answer> answers = new ArrayList<>();
		while (frame.hasRemaining()) {
			int slot = frame.getInt();
			int pid = frame.getInt();
			int outcome = frame.get();
			if (outcome < 0 || outcome >= outcomes.length) {
				throw new ProtocolException("unknown pool call outcome " + outcome);
			}
			answers.add(new Message.PoolCallDone.Answer(slot, pid, outcomes[outcome]));
		}
		return new Message.PoolCallDone(callId, answers);
	}

}
