package io.prefork.actuate;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.actuate.endpoint.InvocationContext;
import org.springframework.boot.actuate.endpoint.invoke.OperationInvoker;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

import io.prefork.protocol.Message.PoolCallDone.Outcome;
import io.prefork.worker.PoolCalls;

/**
 * A write or delete operation that applies to every worker: it runs here first (a bad
 * request fails here, as before, and goes nowhere else), then in every other worker
 * through the master. The client gets this worker's result; {@link PoolResponse#HEADER}
 * says what each worker made of it.
 */
final class PoolWideWrite implements OperationInvoker {

	private static final Log logger = LogFactory.getLog(PoolWideWrite.class);

	private final OperationKey key;

	private final OperationInvoker local;

	private final PoolCaller pool;

	private final int slot;

	private final BiConsumer<OperationKey, Map<String, Object>> applied;

	PoolWideWrite(OperationKey key, OperationInvoker local, PoolCaller pool, int slot,
			BiConsumer<OperationKey, Map<String, Object>> applied) {
		this.key = key;
		this.local = local;
		this.pool = pool;
		this.slot = slot;
		this.applied = applied;
	}

	@Override
	public Object invoke(InvocationContext context) {
		Object result = this.local.invoke(context);
		int status = OperationAnswer.of(result, this.key.type()).status();
		this.applied.accept(this.key, context.getArguments());
		PoolResponse.setHeader(relay(context.getArguments(), status));
		return result;
	}

	private String relay(Map<String, Object> arguments, int status) {
		try {
			List<PoolCalls.Answer> answers = this.pool.call(new OperationCall(this.key, arguments).toBytes());
			String outcome = PoolResponse.describe(this.slot, status, answers);
			if (!answers.stream().allMatch(PoolWideWrite::succeeded)) {
				logger.warn("The " + this.key + " did not succeed in every worker: " + outcome);
			}
			else {
				logger.info("The " + this.key + " ran in every worker: " + outcome);
			}
			return outcome;
		}
		catch (IOException | RuntimeException ex) {
			logger.warn("The " + this.key + " ran in this worker only: " + ex.getMessage(), ex);
			return this.slot + "=" + status + ", others: " + ex.getMessage();
		}
	}

	private static boolean succeeded(PoolCalls.Answer answer) {
		return answer.outcome() == Outcome.QUEUED || (answer.outcome() == Outcome.ANSWERED
				&& OperationAnswer.fromBytes(answer.reply()).status() < WebEndpointResponse.STATUS_BAD_REQUEST);
	}

}
