package io.prefork.actuate;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

import org.springframework.boot.micrometer.metrics.actuate.endpoint.MetricsEndpoint;

/**
 * {@code /actuator/metrics} for the pool: the names of every worker's meters, and a meter's
 * measurements summed over the workers (maxima: the largest), as Spring Boot merges
 * registries. Its available tags include {@code worker}, the slots that have the meter;
 * {@code ?tag=worker:1} narrows the answer to those workers.
 */
final class MetricsPoolRead implements PoolRead {

	/** The endpoint's id. */
	static final String ID = "metrics";

	/** The endpoint's class, which is present only with Spring Boot's Micrometer module. */
	static final String ENDPOINT_CLASS = "org.springframework.boot.micrometer.metrics.actuate.endpoint.MetricsEndpoint";

	private static final String TAG = "tag";

	private static final String WORKER_TAG = "worker:";

	@Override
	public Map<String, Object> arguments(Map<String, Object> arguments) {
		List<String> tags = tags(arguments);
		Map<String, Object> without = new LinkedHashMap<>(arguments);
		without.remove(TAG);
		List<String> others = tags.stream().filter((tag) -> !tag.startsWith(WORKER_TAG)).toList();
		if (!others.isEmpty()) {
			without.put(TAG, new ArrayList<>(others));
		}
		return without;
	}

	@Override
	public Serializable share(OperationKey key, Object result) {
		if (result instanceof MetricsEndpoint.MetricNamesDescriptor names) {
			return new TreeSet<>(names.getNames());
		}
		if (result instanceof MetricsEndpoint.MetricDescriptor metric) {
			return snapshot(metric);
		}
		return null;
	}

	@Override
	public Object merge(OperationKey key, Map<String, Object> arguments, Object local, int slot,
			SortedMap<Integer, OperationAnswer> others, Set<Integer> liveSlots) {
		SortedMap<Integer, Serializable> bySlot = new TreeMap<>();
		Serializable own = share(key, local);
		if (own != null) {
			bySlot.put(slot, own);
		}
		others.forEach((other, answer) -> {
			if (answer.value() != null) {
				bySlot.put(other, answer.value());
			}
		});
		if (key.parameters().isEmpty()) {
			TreeSet<String> names = new TreeSet<>();
			bySlot.values().forEach((value) -> names.addAll(castNames(value)));
			return Map.of("names", names);
		}
		Set<String> workers = workers(arguments);
		bySlot.keySet().removeIf((other) -> !workers.isEmpty() && !workers.contains(Integer.toString(other)));
		return bySlot.isEmpty() ? null : merge(String.valueOf(arguments.get(key.parameters().get(0))), bySlot);
	}

	private static Map<String, Object> merge(String name, SortedMap<Integer, Serializable> bySlot) {
		String description = null;
		String baseUnit = null;
		Map<String, Double> measurements = new LinkedHashMap<>();
		Map<String, TreeSet<String>> tags = new TreeMap<>();
		for (Serializable value : bySlot.values()) {
			MetricSnapshot snapshot = (MetricSnapshot) value;
			description = (description != null) ? description : snapshot.description();
			baseUnit = (baseUnit != null) ? baseUnit : snapshot.baseUnit();
			snapshot.measurements().forEach((statistic, measured) -> measurements.merge(statistic, measured,
					"MAX".equals(statistic) ? Double::max : Double::sum));
			snapshot.availableTags().forEach((tag, values) -> tags.computeIfAbsent(tag, (k) -> new TreeSet<>()).addAll(values));
		}
		List<Map<String, Object>> availableTags = new ArrayList<>();
		availableTags.add(Map.of("tag", "worker", "values", bySlot.keySet().stream().map(String::valueOf).toList()));
		tags.forEach((tag, values) -> availableTags.add(Map.of("tag", tag, "values", values)));
		List<Map<String, Object>> samples = new ArrayList<>();
		measurements.forEach((statistic, measured) -> samples.add(Map.of("statistic", statistic, "value", measured)));
		Map<String, Object> metric = new LinkedHashMap<>();
		metric.put("name", name);
		metric.put("description", description);
		metric.put("baseUnit", baseUnit);
		metric.put("measurements", samples);
		metric.put("availableTags", availableTags);
		return metric;
	}

	private static MetricSnapshot snapshot(MetricsEndpoint.MetricDescriptor metric) {
		LinkedHashMap<String, Double> measurements = new LinkedHashMap<>();
		metric.getMeasurements().forEach((sample) -> measurements.put(sample.getStatistic().name(), sample.getValue()));
		LinkedHashMap<String, TreeSet<String>> tags = new LinkedHashMap<>();
		metric.getAvailableTags().forEach((tag) -> tags.put(tag.getTag(), new TreeSet<>(tag.getValues())));
		return new MetricSnapshot(metric.getDescription(), metric.getBaseUnit(), measurements, tags);
	}

	@SuppressWarnings("unchecked")
	private static Set<String> castNames(Serializable value) {
		return (Set<String>) value;
	}

	private static Set<String> workers(Map<String, Object> arguments) {
		Set<String> workers = new TreeSet<>();
		tags(arguments).stream().filter((tag) -> tag.startsWith(WORKER_TAG))
			.forEach((tag) -> workers.add(tag.substring(WORKER_TAG.length())));
		return workers;
	}

	// A query parameter given once is a string, given several times a list.
	private static List<String> tags(Map<String, Object> arguments) {
		Object tag = arguments.get(TAG);
		if (tag instanceof List<?> list) {
			return list.stream().map(String::valueOf).toList();
		}
		return (tag != null) ? List.of(tag.toString()) : List.of();
	}

}
