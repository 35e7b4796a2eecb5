package io.prefork.actuate;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

import io.prefork.worker.PoolCalls;

/**
 * Tells the client of a pool-wide operation what each worker made of it, in the
 * {@value #HEADER} header: {@code 0=204, 1=204, 2=queued} (a status per slot, or
 * {@code queued}, {@code no-answer}, {@code gone}, {@code unreachable}). The status the
 * client gets stays that of the worker it reached.
 */
final class PoolResponse {

	/** The header naming each worker's outcome. */
	static final String HEADER = "X-Prefork-Workers";

	private PoolResponse() {
	}

	static String describe(int slot, int status, List<PoolCalls.Answer> others) {
		Map<Integer, String> bySlot = new TreeMap<>();
		bySlot.put(slot, Integer.toString(status));
		others.forEach((answer) -> bySlot.put(answer.slot(), describe(answer)));
		return bySlot.entrySet().stream().map((entry) -> entry.getKey() + "=" + entry.getValue())
			.collect(Collectors.joining(", "));
	}

	private static String describe(PoolCalls.Answer answer) {
		return switch (answer.outcome()) {
			case ANSWERED -> Integer.toString(OperationAnswer.fromBytes(answer.reply()).status());
			default -> answer.outcome().name().toLowerCase(Locale.ROOT).replace('_', '-');
		};
	}

	// The operation runs on the request's thread, where Spring MVC keeps the response.
	static void setHeader(String value) {
		if (RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attributes
				&& attributes.getResponse() != null) {
			attributes.getResponse().setHeader(HEADER, value);
		}
	}

}
