package io.prefork.actuate;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.prefork.protocol.Message.PoolCallDone.Outcome;
import io.prefork.worker.PoolCalls;

import static org.assertj.core.api.Assertions.assertThat;

class PoolResponseTests {

	@Test
	void namesEachWorkersOutcomeBySlotInOrder() {
		List<PoolCalls.Answer> others = List.of(
				new PoolCalls.Answer(10, 110, Outcome.ANSWERED, new OperationAnswer(204, null).toBytes()),
				new PoolCalls.Answer(0, 100, Outcome.ANSWERED, new OperationAnswer(400, "bad level").toBytes()),
				new PoolCalls.Answer(3, 103, Outcome.QUEUED, null), new PoolCalls.Answer(4, 104, Outcome.NO_ANSWER, null),
				new PoolCalls.Answer(5, 105, Outcome.GONE, null), new PoolCalls.Answer(6, 106, Outcome.UNREACHABLE, null),
				new PoolCalls.Answer(7, 107, Outcome.ANSWERED, new byte[0]));
		assertThat(PoolResponse.describe(2, 204, others))
			.isEqualTo("0=400, 2=204, 3=queued, 4=no-answer, 5=gone, 6=unreachable, 7=500, 10=204");
	}

}
