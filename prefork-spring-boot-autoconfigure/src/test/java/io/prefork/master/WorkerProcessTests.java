package io.prefork.master;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.prefork.pool.WorkerState;
import io.prefork.posix.ControlSocket;
import io.prefork.posix.PosixException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The master's book of a worker's hand-overs: a window of unanswered connections, answered
 * in order by batch acknowledgements and single refusals.
 */
class WorkerProcessTests {

	private static final int MAX_CONNECTIONS = 4;

	private static final int WINDOW = 3;

	private final ControlSocket[] channel = ControlSocket.pair();

	private final WorkerProcess worker = new WorkerProcess(0, 1, 1000, 0, this.channel[0], 0, 100, 0);

	WorkerProcessTests() throws PosixException {
		this.worker.ready(0);
	}

	@AfterEach
	void close() {
		this.worker.closeChannel();
		this.channel[1].close();
	}

	@Test
	void aWarmUpReplacesTheBootDeadlineWithItsOwn() throws PosixException {
		ControlSocket[] other = ControlSocket.pair();
		WorkerProcess booting = new WorkerProcess(1, 1, 1001, 1, other[0], 0, 100, 0);
		try {
			assertThat(booting.deadline()).as("the boot deadline").isEqualTo(100);
			booting.warming(5000);
			assertThat(booting.state()).isEqualTo(WorkerState.WARMING);
			assertThat(booting.deadline()).as("the warm-up's").isEqualTo(5000);
			booting.ready(4000);
			assertThat(booting.state()).isEqualTo(WorkerState.IDLE);
		}
		finally {
			booting.closeChannel();
			other[1].close();
		}
	}

	@Test
	void takesUpToItsWindowOfUnansweredConnections() {
		for (long id = 1; id <= WINDOW; id++) {
			assertThat(this.worker.canTakeConnection(MAX_CONNECTIONS, WINDOW)).as("before hand-over " + id).isTrue();
			this.worker.handedOver(id, 1000 + id);
		}
		assertThat(this.worker.canTakeConnection(MAX_CONNECTIONS, WINDOW)).as("window full").isFalse();
		assertThat(this.worker.load()).isEqualTo(3);
		assertThat(this.worker.pendingConnection()).isEqualTo(1);
		assertThat(this.worker.deadline()).as("the oldest hand-over's").isEqualTo(1001);
	}

	@Test
	void oneAcknowledgementAnswersEveryEarlierHandOver() {
		this.worker.handedOver(1, 1001);
		this.worker.handedOver(2, 1002);
		this.worker.handedOver(3, 1003);
		assertThat(this.worker.acknowledged(2)).containsExactly(1, 2);
		assertThat(this.worker.openConnections()).isEqualTo(2);
		assertThat(this.worker.connectionsHandedOver()).isEqualTo(2);
		assertThat(this.worker.state()).isEqualTo(WorkerState.BUSY);
		assertThat(this.worker.pendingConnection()).isEqualTo(3);
		assertThat(this.worker.deadline()).isEqualTo(1003);
		assertThat(this.worker.acknowledged(2)).as("a repeated acknowledgement").isEmpty();
		assertThat(this.worker.acknowledged(3)).containsExactly(3);
		assertThat(this.worker.awaitsAcknowledgement()).isFalse();
		assertThat(this.worker.load()).isEqualTo(3);
	}

	@Test
	void aRefusalAnswersOnlyItsOwnConnectionWhereverItIsInTheWindow() {
		this.worker.handedOver(1, 1001);
		this.worker.handedOver(2, 1002);
		this.worker.handedOver(3, 1003);
		assertThat(this.worker.notAccepted(2)).isTrue();
		assertThat(this.worker.notAccepted(2)).as("already answered").isFalse();
		assertThat(this.worker.acknowledged(3)).as("the batch after the refusal").containsExactly(1, 3);
		assertThat(this.worker.openConnections()).isEqualTo(2);
		assertThat(this.worker.notAccepted(9)).as("never handed over").isFalse();
	}

	@Test
	void holdsNoMoreThanItsMaximumCountingUnansweredConnections() {
		this.worker.handedOver(1, 1001);
		this.worker.handedOver(2, 1002);
		this.worker.acknowledged(2);
		this.worker.handedOver(3, 1003);
		assertThat(this.worker.canTakeConnection(MAX_CONNECTIONS, WINDOW)).as("2 open + 1 unanswered of 4").isTrue();
		this.worker.handedOver(4, 1004);
		assertThat(this.worker.canTakeConnection(MAX_CONNECTIONS, WINDOW)).as("2 open + 2 unanswered of 4").isFalse();
		this.worker.connectionClosed(2000);
		assertThat(this.worker.canTakeConnection(MAX_CONNECTIONS, WINDOW)).isTrue();
	}

	@Test
	void aStoppingWorkerKeepsItsStopDeadlineWhileItsAnswersArrive() {
		this.worker.handedOver(1, 1001);
		this.worker.handedOver(2, 1002);
		this.worker.stopping(5000);
		assertThat(this.worker.acknowledged(1)).containsExactly(1);
		assertThat(this.worker.deadline()).isEqualTo(5000);
		assertThat(this.worker.canTakeConnection(MAX_CONNECTIONS, WINDOW)).isFalse();
	}

}
