package io.prefork.actuate;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

import io.prefork.metrics.PrometheusTextMerger;

/**
 * {@code /actuator/prometheus} for the pool: every worker's scrape, in the text format
 * 0.0.4, merged into one with a {@code worker} label.
 */
final class PrometheusPoolRead implements PoolRead {

	/** The endpoint's id. */
	static final String ID = "prometheus";

	@Override
	public Object merge(OperationKey key, Map<String, Object> arguments, Object local, int slot,
			SortedMap<Integer, OperationAnswer> others, Set<Integer> liveSlots) {
		if (!(local instanceof WebEndpointResponse<?> response) || !(response.getBody() instanceof byte[] body)
				|| response.getStatus() != WebEndpointResponse.STATUS_OK) {
			return local;
		}
		SortedMap<Integer, String> scrapes = new TreeMap<>();
		scrapes.put(slot, new String(body, StandardCharsets.UTF_8));
		others.forEach((other, answer) -> {
			if (answer.body() != null) {
				scrapes.put(other, answer.body());
			}
		});
		byte[] merged = PrometheusTextMerger.merge(scrapes, slot, liveSlots).getBytes(StandardCharsets.UTF_8);
		return new WebEndpointResponse<>(merged, response.getStatus(), response.getContentType());
	}

}
