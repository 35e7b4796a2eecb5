package io.prefork.actuate;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.actuate.endpoint.InvocationContext;
import org.springframework.boot.actuate.endpoint.ProducibleOperationArgumentResolver;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.invoke.OperationInvoker;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

import io.prefork.protocol.Message.PoolCallDone.Outcome;
import io.prefork.worker.PoolCalls;

/**
 * A read operation that answers for the whole pool: it runs here and in every other worker
 * (through the master), in the operation's default format, and {@link PoolRead} merges the
 * answers. {@link PoolResponse#HEADER} says which workers are in the answer.
 */
final class PoolWideRead implements OperationInvoker {

	private static final Log logger = LogFactory.getLog(PoolWideRead.class);

	private final OperationKey key;

	private final OperationInvoker local;

	private final PoolCaller pool;

	private final int slot;

	private final PoolRead read;

	PoolWideRead(OperationKey key, OperationInvoker local, PoolCaller pool, int slot, PoolRead read) {
		this.key = key;
		this.local = local;
		this.pool = pool;
		this.slot = slot;
		this.read = read;
	}

	@Override
	public Object invoke(InvocationContext context) {
		SecurityContext security = context.resolveArgument(SecurityContext.class);
		Map<String, Object> arguments = this.read.arguments(context.getArguments());
		Object result = this.local.invoke(new InvocationContext((security != null) ? security : SecurityContext.NONE,
				arguments, new ProducibleOperationArgumentResolver(List::of)));
		int status = OperationAnswer.of(result, this.key.type()).status();
		List<PoolCalls.Answer> answers;
		try {
			answers = this.pool.call(new OperationCall(this.key, arguments).toBytes());
		}
		catch (IOException | RuntimeException ex) {
			logger.warn("The " + this.key + " answers for this worker only: " + ex.getMessage());
			answers = List.of();
		}
		SortedMap<Integer, OperationAnswer> others = new TreeMap<>();
		Set<Integer> liveSlots = new TreeSet<>(Set.of(this.slot));
		for (PoolCalls.Answer answer : answers) {
			liveSlots.add(answer.slot());
			OperationAnswer answered = (answer.outcome() == Outcome.ANSWERED) ? OperationAnswer.fromBytes(answer.reply())
					: null;
			if (answered != null && answered.status() < WebEndpointResponse.STATUS_BAD_REQUEST) {
				others.put(answer.slot(), answered);
			}
		}
		PoolResponse.setHeader(PoolResponse.describe(this.slot, status, answers));
		return this.read.merge(this.key, context.getArguments(), result, this.slot, others, liveSlots);
	}

}
