package io.prefork.posix;

import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

import jnr.constants.platform.Errno;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

@Timeout(10)
class ControlSocketTests {

	private static final Duration PATIENCE = Duration.ofSeconds(5);

	private static final int BATCH_SLOTS = 4;

	private static final int SLOT_CAPACITY = 16;

	private final MessageBatch batch = new MessageBatch(BATCH_SLOTS, SLOT_CAPACITY);

	private ControlSocket[] pair;

	@BeforeEach
	void openPair() throws PosixException {
		this.pair = ControlSocket.pair();
	}

	@AfterEach
	void closePair() {
		for (int end = 0; end < 2; end++) {
			closeEnd(end);
		}
	}

	@Test
	void passesAConnectionThatOutlivesTheSendersCopy() throws Exception {
		try (ListeningSocket listener = ListeningSocket.open(InetAddress.getLoopbackAddress(), 0, 16);
				Socket client = new Socket(InetAddress.getLoopbackAddress(), listener.port())) {
			client.setSoTimeout((int) PATIENCE.toMillis());
			int accepted = LoopbackConnections.accept(listener, PATIENCE);
			assertThat(this.pair[0].trySendWithFd(new byte[] { 1, 2, 3, 4, 5 }, 3, accepted)).isTrue();
			FileDescriptors.close(accepted);
			ControlSocket.Received received = this.pair[1].receive();
			assertThat(received.bytes()).isEqualTo(new byte[] { 1, 2, 3 });
			assertThat(received.fd()).isNotNegative();
			try {
				assertThat(FdInfo.flags(received.fd()) & FdInfo.O_CLOEXEC).as("close-on-exec").isNotZero();
				client.getOutputStream().write(ascii("ping"));
				assertThat(readFully(received.fd(), 4)).isEqualTo(ascii("ping"));
				assertThat(LibC.INSTANCE.write(received.fd(), ascii("pong"), 4)).isEqualTo(4);
				assertThat(client.getInputStream().readNBytes(4)).isEqualTo(ascii("pong"));
			}
			finally {
				FileDescriptors.close(received.fd());
			}
			assertThat(client.getInputStream().read()).as("EOF once the last copy is closed").isEqualTo(-1);
		}
	}

	@Test
	void eachMessageCarriesItsOwnBytesAndDescriptor() throws Exception {
		int[][] pipes = new int[3][2];
		for (int i = 0; i < pipes.length; i++) {
			assertThat(LibC.INSTANCE.pipe2(pipes[i], FdInfo.O_CLOEXEC)).isZero();
			assertThat(this.pair[0].trySendWithFd(new byte[] { (byte) i, 9 }, 1 + i % 2, pipes[i][0])).isTrue();
		}
		for (int i = 0; i < pipes.length; i++) {
			ControlSocket.Received received = this.pair[1].receive();
			try {
				assertThat(received.bytes()).isEqualTo(Arrays.copyOf(new byte[] { (byte) i, 9 }, 1 + i % 2));
				assertThat(LibC.INSTANCE.write(pipes[i][1], new byte[] { (byte) (100 + i) }, 1)).isEqualTo(1);
				assertThat(readFully(received.fd(), 1)).as("the pipe sent with message " + i)
					.containsExactly((byte) (100 + i));
			}
			finally {
				FileDescriptors.close(received.fd());
				FileDescriptors.close(pipes[i][0]);
				FileDescriptors.close(pipes[i][1]);
			}
		}
	}

	@Test
	void refusesAMessageWithADescriptorLongerThanAHandOverHeaderCanBe() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.pair[0]
			.trySendWithFd(new byte[RightsHeader.MAX_SENT_PAYLOAD + 1], RightsHeader.MAX_SENT_PAYLOAD + 1, 0));
	}

	@Test
	void keepsMessageBoundariesAndTakesEveryPendingMessageInOneBatch() throws PosixException {
		this.pair[0].send(new byte[] { 1, 2, 3 });
		this.pair[0].send(new byte[] { 4, 5 });
		assertThat(this.pair[1].receiveNow(this.batch)).isEqualTo(2);
		assertThat(message(0)).isEqualTo(new byte[] { 1, 2, 3 });
		assertThat(message(1)).isEqualTo(new byte[] { 4, 5 });
		assertThat(this.pair[1].receiveNow(this.batch)).isEqualTo(-1);
	}

	@Test
	void aBatchTakesAsManyMessagesAsItHasSlotsAndLeavesTheRestPending() throws PosixException {
		for (int i = 0; i < BATCH_SLOTS + 1; i++) {
			this.pair[0].send(new byte[] { (byte) i });
		}
		assertThat(this.pair[1].receiveNow(this.batch)).isEqualTo(BATCH_SLOTS);
		assertThat(message(BATCH_SLOTS - 1)).containsExactly((byte) (BATCH_SLOTS - 1));
		assertThat(this.pair[1].receiveNow(this.batch)).isEqualTo(1);
		assertThat(message(0)).containsExactly((byte) BATCH_SLOTS);
	}

	@Test
	void aBatchCutsAMessageLongerThanItsSlots() throws PosixException {
		byte[] longer = new byte[SLOT_CAPACITY + 10];
		Arrays.fill(longer, (byte) 7);
		this.pair[0].send(longer);
		assertThat(this.pair[1].receiveNow(this.batch)).isEqualTo(1);
		assertThat(message(0)).hasSize(SLOT_CAPACITY).containsOnly((byte) 7);
	}

	@Test
	void carriesPlainMessagesBothWays() throws PosixException {
		this.pair[1].send(new byte[] { 9, 8, 7 });
		ControlSocket.Received received = this.pair[0].receive();
		assertThat(received.bytes()).isEqualTo(new byte[] { 9, 8, 7 });
		assertThat(received.fd()).isEqualTo(-1);
	}

	@Test
	void receiveNowReturnsMinusOneWhenNothingIsPending() throws PosixException {
		assertThat(this.pair[1].receiveNow(this.batch)).isEqualTo(-1);
	}

	@Test
	void receiveIfPendingTakesWhatIsThereAndNeverBlocks() throws Exception {
		assertThat(this.pair[1].receiveIfPending()).isSameAs(ControlSocket.NOTHING);
		int[] pipe = new int[2];
		assertThat(LibC.INSTANCE.pipe2(pipe, FdInfo.O_CLOEXEC)).isZero();
		try {
			assertThat(this.pair[0].trySendWithFd(new byte[] { 5, 6 }, 2, pipe[0])).isTrue();
			this.pair[0].send(new byte[] { 7 });
			ControlSocket.Received withFd = this.pair[1].receiveIfPending();
			assertThat(withFd.bytes()).isEqualTo(new byte[] { 5, 6 });
			assertThat(withFd.fd()).isNotNegative();
			FileDescriptors.close(withFd.fd());
			ControlSocket.Received plain = this.pair[1].receiveIfPending();
			assertThat(plain.bytes()).isEqualTo(new byte[] { 7 });
			assertThat(plain.fd()).as("no descriptor left over from the message before").isEqualTo(-1);
			assertThat(this.pair[1].receiveIfPending()).isSameAs(ControlSocket.NOTHING);
			closeEnd(0);
			assertThat(this.pair[1].receiveIfPending()).as("EOF").isNull();
		}
		finally {
			FileDescriptors.close(pipe[0]);
			FileDescriptors.close(pipe[1]);
		}
	}

	@Test
	void deliversPendingMessagesThenEofAfterThePeerCloses() throws PosixException {
		this.pair[0].send(new byte[] { 42 });
		closeEnd(0);
		assertThat(this.pair[1].receiveNow(this.batch)).as("the message sent before").isEqualTo(1);
		assertThat(message(0)).containsExactly((byte) 42);
		assertThat(this.pair[1].receiveNow(this.batch)).as("EOF").isZero();
		assertThat(this.pair[1].receive()).isNull();
	}

	@Test
	void sendingToAClosedPeerFails() {
		closeEnd(1);
		assertThatExceptionOfType(PosixException.class).isThrownBy(() -> this.pair[0].send(new byte[] { 1 }))
			.withMessageStartingWith("send failed")
			.satisfies((ex) -> assertThat(ex.errno()).isEqualTo(Errno.EPIPE.intValue()))
			.satisfies((ex) -> assertThat(ex.peerGone()).isTrue());
	}

	private byte[] message(int index) {
		byte[] into = new byte[SLOT_CAPACITY];
		return Arrays.copyOf(into, this.batch.copy(index, into));
	}

	private void closeEnd(int end) {
		if (this.pair[end] != null) {
			this.pair[end].close();
			this.pair[end] = null;
		}
	}

	// The passed fd may be non-blocking: wait in poll, never sleep.
	private static byte[] readFully(int fd, int length) throws PosixException {
		byte[] buffer = new byte[length];
		byte[] chunk = new byte[length];
		Poller poller = new Poller(1);
		int filled = 0;
		while (filled < length) {
			poller.clear();
			poller.add(fd);
			assertThat(poller.await((int) PATIENCE.toMillis())).as("data arrives on the passed fd").isOne();
			long read = LibC.INSTANCE.read(fd, chunk, length - filled);
			assertThat(read).as("read from the passed fd").isPositive();
			System.arraycopy(chunk, 0, buffer, filled, (int) read);
			filled += (int) read;
		}
		return buffer;
	}

	private static byte[] ascii(String text) {
		return text.getBytes(StandardCharsets.US_ASCII);
	}

}
