package io.prefork.pool;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

class LostConnectionTests {

	@ParameterizedTest
	@EnumSource(ConnectionState.class)
	void aConnectionNobodyReadGoesToAnotherWorkerWhateverItsState(ConnectionState state) {
		assertThat(LostConnection.decide(state, 0, 120)).isEqualTo(LostConnection.HAND_TO_ANOTHER_WORKER);
		assertThat(LostConnection.decide(state, 0, 0)).isEqualTo(LostConnection.HAND_TO_ANOTHER_WORKER);
	}

	@Test
	void aConnectionTheWorkerNeverRecordedGoesToAnotherWorkerIfNothingWasRead() {
		assertThat(LostConnection.decide(null, 0, 80)).isEqualTo(LostConnection.HAND_TO_ANOTHER_WORKER);
	}

	@Test
	void aRequestReadAndNotAnsweredGets502() {
		assertThat(LostConnection.decide(ConnectionState.AWAITING_ANSWER, 78, 0))
			.isEqualTo(LostConnection.ANSWER_BAD_GATEWAY);
		assertThat(LostConnection.decide(ConnectionState.AWAITING_ANSWER, 78, 12))
			.isEqualTo(LostConnection.ANSWER_BAD_GATEWAY);
	}

	@Test
	void bytesReadBeforeTheWorkerCouldRecordThemCountAsARequestReadAndNotAnswered() {
		assertThat(LostConnection.decide(ConnectionState.FRESH, 78, 0)).isEqualTo(LostConnection.ANSWER_BAD_GATEWAY);
		assertThat(LostConnection.decide(null, 78, 0)).isEqualTo(LostConnection.ANSWER_BAD_GATEWAY);
	}

	@Test
	void anIdleKeepAliveConnectionIsClosedForItsClientToRetry() {
		assertThat(LostConnection.decide(ConnectionState.ANSWERED, 78, 0)).isEqualTo(LostConnection.CLOSE);
	}

	@Test
	void aNextRequestWaitingUnreadGets503() {
		assertThat(LostConnection.decide(ConnectionState.ANSWERED, 78, 78))
			.isEqualTo(LostConnection.ANSWER_UNAVAILABLE);
	}

	@Test
	void aConnectionThatIsNotPlainHttp1IsOnlyClosed() {
		assertThat(LostConnection.decide(ConnectionState.OPAQUE, 517, 0)).isEqualTo(LostConnection.CLOSE);
		assertThat(LostConnection.decide(ConnectionState.OPAQUE, 517, 40)).isEqualTo(LostConnection.CLOSE);
	}

	@Test
	void withoutTheKernelsCountAConnectionTheWorkerNeverReadFromGoesToAnotherWorker() {
		assertThat(LostConnection.decide(ConnectionState.FRESH, -1, 80)).isEqualTo(LostConnection.HAND_TO_ANOTHER_WORKER);
		assertThat(LostConnection.decide(null, -1, -1)).isEqualTo(LostConnection.HAND_TO_ANOTHER_WORKER);
		assertThat(LostConnection.decide(ConnectionState.AWAITING_ANSWER, -1, 0))
			.isEqualTo(LostConnection.ANSWER_BAD_GATEWAY);
	}

	@Test
	void unknownStoredStatesReadAsFresh() {
		assertThat(ConnectionState.of(-1)).isEqualTo(ConnectionState.FRESH);
		assertThat(ConnectionState.of(99)).isEqualTo(ConnectionState.FRESH);
		assertThat(ConnectionState.of(ConnectionState.OPAQUE.ordinal())).isEqualTo(ConnectionState.OPAQUE);
	}

}
