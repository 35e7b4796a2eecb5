package io.prefork.protocol;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class MessageCodecTests {

	static List<Message> messages() {
		return List.of(new Message.Handoff(1), new Message.Handoff(Long.MAX_VALUE), new Message.Ready(4242),
				new Message.Accepted(7), new Message.Accepted(Long.MIN_VALUE), new Message.Closed(-1),
				new Message.Closed(0), new Message.AcceptCommand(17), new Message.NotAccepted(Long.MAX_VALUE),
				new Message.Heartbeat(123456), new Message.RequestTimedOut(2100), new Message.ShutdownRequest(3),
				new Message.PoolCommand(Message.PoolCommand.RELOAD), new Message.Retire(4),
				new Message.Warming(4343),
				new Message.Handoff(5, Connector.MANAGEMENT),
				new Message.Accepted(5, Connector.MANAGEMENT), new Message.NotAccepted(6, Connector.MANAGEMENT),
				new Message.Closed(Long.MAX_VALUE, Connector.MANAGEMENT, false),
				new Message.Closed(10, Connector.SERVER, true), new Message.Closed(11, Connector.MANAGEMENT, true),
				new Message.PoolCall(0x0000_1234_0000_0007L),
				new Message.PoolCallAnswered(8, false), new Message.PoolCallAnswered(8, true),
				new Message.PoolCallDone(9, List.of()));
	}

	@Test
	void aPoolCallsAnswersFollowItsFrameNineBytesEach() {
		Message.PoolCallDone done = new Message.PoolCallDone(0x0102030405060708L,
				List.of(new Message.PoolCallDone.Answer(1, 4242, Message.PoolCallDone.Outcome.ANSWERED),
						new Message.PoolCallDone.Answer(3, 77, Message.PoolCallDone.Outcome.NO_ANSWER)));
		byte[] frame = MessageCodec.encode(done);
		assertThat(frame).hasSize(MessageCodec.FRAME_SIZE + 18);
		assertThat(Arrays.copyOfRange(frame, 9, 18)).isEqualTo(new byte[] { 0, 0, 0, 1, 0, 0, 0x10, (byte) 0x92, 0 });
		assertThat(MessageCodec.decode(frame, frame.length)).isEqualTo(done);
	}

	@Test
	void rejectsATruncatedAnswerOrAnUnknownOutcome() {
		byte[] frame = MessageCodec.encode(new Message.PoolCallDone(1,
				List.of(new Message.PoolCallDone.Answer(0, 1, Message.PoolCallDone.Outcome.GONE))));
		assertThatExceptionOfType(ProtocolException.class).isThrownBy(() -> MessageCodec.decode(frame, frame.length - 1))
			.withMessageContaining("multiple of 9");
		frame[frame.length - 1] = 99;
		assertThatExceptionOfType(ProtocolException.class).isThrownBy(() -> MessageCodec.decode(frame, frame.length))
			.withMessageContaining("outcome 99");
	}

	@ParameterizedTest
	@MethodSource("messages")
	void roundTripsEveryMessage(Message message) {
		byte[] frame = MessageCodec.encode(message);
		assertThat(frame).hasSize(MessageCodec.FRAME_SIZE);
		assertThat(MessageCodec.decode(frame, frame.length)).isEqualTo(message);
	}

	@Test
	void testsCoverEveryMessageType() {
		assertThat(messages().stream().map(Object::getClass).collect(Collectors.toSet()))
			.containsExactlyInAnyOrderElementsOf(Arrays.asList(Message.class.getPermittedSubclasses()));
	}

	@Test
	void encodesTheValueBigEndianAfterTheTypeByte() {
		assertThat(MessageCodec.encode(new Message.Handoff(0x0102030405060708L)))
			.isEqualTo(new byte[] { 1, 1, 2, 3, 4, 5, 6, 7, 8 });
	}

	@Test
	void connectionMessagesDefaultToTheApplicationsServer() {
		assertThat(new Message.Handoff(1).connector()).isEqualTo(Connector.SERVER);
		assertThat(new Message.Accepted(1).connector()).isEqualTo(Connector.SERVER);
		assertThat(new Message.NotAccepted(1).connector()).isEqualTo(Connector.SERVER);
		assertThat(new Message.Closed(1).connector()).isEqualTo(Connector.SERVER);
	}

	@Test
	void marksAManagementConnectionInTheTypeByte() {
		assertThat(MessageCodec.encode(new Message.Handoff(0x0102030405060708L, Connector.MANAGEMENT)))
			.isEqualTo(new byte[] { 0x41, 1, 2, 3, 4, 5, 6, 7, 8 });
		assertThat(MessageCodec.encode(new Message.Closed(9, Connector.MANAGEMENT, false))[0]).isEqualTo((byte) 0x44);
		assertThat(MessageCodec.encode(new Message.Closed(9, Connector.SERVER, false))[0]).isEqualTo((byte) 4);
		assertThat(MessageCodec.encode(new Message.Closed(9, Connector.MANAGEMENT, true))[0]).isEqualTo((byte) 0x51);
	}

	@ParameterizedTest
	@ValueSource(bytes = { 0x42, 0x45, 0x47, 0x4a, 0x40 })
	void rejectsTheManagementFlagOnAMessageThatIsNotAboutAConnection(byte type) {
		byte[] frame = MessageCodec.encode(new Message.Heartbeat(3));
		frame[0] = type;
		assertThatExceptionOfType(ProtocolException.class).isThrownBy(() -> MessageCodec.decode(frame, frame.length))
			.withMessage("unknown message type " + type);
	}

	@Test
	void decodesAFrameAtTheStartOfALargerReceiveBuffer() {
		byte[] buffer = Arrays.copyOf(MessageCodec.encode(new Message.Ready(99)), 256);
		assertThat(MessageCodec.decode(buffer, MessageCodec.FRAME_SIZE)).isEqualTo(new Message.Ready(99));
	}

	@ParameterizedTest
	@ValueSource(ints = { 0, 1, 8, 10, 256 })
	void rejectsAFrameOfTheWrongLength(int length) {
		byte[] buffer = Arrays.copyOf(MessageCodec.encode(new Message.Ready(1)), 256);
		assertThatExceptionOfType(ProtocolException.class).isThrownBy(() -> MessageCodec.decode(buffer, length))
			.withMessage("frame of " + length + " bytes, expected 9");
	}

	@ParameterizedTest
	@ValueSource(bytes = { 0, 18, 127, -1 })
	void rejectsAnUnknownType(byte type) {
		byte[] frame = MessageCodec.encode(new Message.Closed(3));
		frame[0] = type;
		assertThatExceptionOfType(ProtocolException.class).isThrownBy(() -> MessageCodec.decode(frame, frame.length))
			.withMessage("unknown message type " + type);
	}

}
