package io.prefork.master;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.prefork.posix.ControlSocket;
import io.prefork.protocol.Message;
import io.prefork.protocol.Message.PoolCallDone.Answer;
import io.prefork.protocol.Message.PoolCallDone.Outcome;
import io.prefork.protocol.MessageCodec;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The master's relay of pool calls, over real socketpairs, with the test as the workers.
 */
class PoolCallRelayTests {

	private final WorkerTable workers = new WorkerTable(4, 10, 1);

	private final PoolCallRelay relay = new PoolCallRelay(this.workers);

	private final List<ControlSocket> workerEnds = new ArrayList<>();


	@AfterEach
	void close() {
		this.workerEnds.forEach(ControlSocket::close);
		this.workers.all().forEach(WorkerProcess::closeChannel);
	}

	@Test
	void passesTheCallToEveryOtherWorkerAndTellsTheCallerWhoAnsweredQueuedOrWentAway() throws Exception {
		WorkerProcess caller = worker(0);
		WorkerProcess serving = worker(1);
		WorkerProcess starting = worker(2);
		WorkerProcess dying = worker(3);
		this.relay.start(caller, 77, 0);
		for (int slot = 1; slot <= 3; slot++) {
			assertThat(receive(slot)).isEqualTo(new Message.PoolCall(77));
		}
		assertThat(receive(0)).as("nothing for the caller yet").isNull();
		this.relay.answered(serving, new Message.PoolCallAnswered(77, false));
		this.relay.answered(starting, new Message.PoolCallAnswered(77, true));
		this.relay.lost(dying);
		assertThat(receive(0)).isEqualTo(new Message.PoolCallDone(77, List.of(new Answer(1, 1001, Outcome.ANSWERED),
				new Answer(2, 1002, Outcome.QUEUED), new Answer(3, 1003, Outcome.GONE))));
		assertThat(this.relay.nextDeadline(Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
	}

	@Test
	void reportsWorkersThatDoNotAnswerInTimeAndSkipsStoppingOnes() throws Exception {
		WorkerProcess caller = worker(0);
		worker(1);
		worker(2).stopping(0);
		this.relay.start(caller, 78, 0);
		assertThat(receive(2)).as("a stopping worker gets no call").isNull();
		long deadline = this.relay.nextDeadline(Long.MAX_VALUE);
		assertThat(deadline).isEqualTo(Message.PoolCall.ANSWER_WITHIN_MILLIS * 1_000_000);
		this.relay.expire(deadline - 1);
		assertThat(receive(0)).isNull();
		this.relay.expire(deadline);
		assertThat(receive(0))
			.isEqualTo(new Message.PoolCallDone(78, List.of(new Answer(1, 1001, Outcome.NO_ANSWER))));
	}

	@Test
	void aCallWithNoOtherWorkerIsDoneAtOnce() throws Exception {
		this.relay.start(worker(0), 79, 0);
		assertThat(receive(0)).isEqualTo(new Message.PoolCallDone(79, List.of()));
	}

	private WorkerProcess worker(int slot) throws Exception {
		ControlSocket[] pair = ControlSocket.pair();
		this.workerEnds.add(pair[1]);
		WorkerProcess worker = new WorkerProcess(slot, 0, 1000 + slot, slot, pair[0], 0, Long.MAX_VALUE, 0);
		this.workers.add(worker, false);
		return worker;
	}

	private Message receive(int slot) throws Exception {
		ControlSocket.Received received = this.workerEnds.get(slot).receiveIfPending();
		return (received != null && received != ControlSocket.NOTHING)
				? MessageCodec.decode(received.bytes(), received.bytes().length) : null;
	}

}
