package io.prefork.actuate;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.endpoint.OperationType;

import static org.assertj.core.api.Assertions.assertThat;

class MetricsPoolReadTests {

	private static final OperationKey NAMES = new OperationKey("metrics", OperationType.READ, List.of());

	private static final OperationKey METRIC = new OperationKey("metrics", OperationType.READ,
			List.of("requiredMetricName", "tag"));

	private final MetricsPoolRead read = new MetricsPoolRead();

	@Test
	void listsTheNamesOfEveryWorkersMeters() {
		TreeMap<Integer, OperationAnswer> others = new TreeMap<>();
		others.put(1, answer(new TreeSet<>(Set.of("jvm.memory.used", "app.orders"))));
		others.put(2, answer(new TreeSet<>(Set.of("jvm.memory.used"))));
		assertThat(this.read.merge(NAMES, Map.of(), null, 0, others, Set.of(0, 1, 2)))
			.isEqualTo(Map.of("names", new TreeSet<>(Set.of("app.orders", "jvm.memory.used"))));
	}

	@Test
	void sumsMeasurementsKeepsTheLargestMaximumAndNamesTheWorkersAsATag() {
		TreeMap<Integer, OperationAnswer> others = new TreeMap<>();
		others.put(1, answer(snapshot(3.0, 0.5, "/hello")));
		others.put(2, answer(snapshot(4.0, 0.25, "/cached")));
		Object merged = this.read.merge(METRIC, Map.of("requiredMetricName", "http.server.requests"), null, 0, others,
				Set.of(0, 1, 2));
		assertThat(merged).isEqualTo(metric(List.of(Map.of("statistic", "COUNT", "value", 7.0),
				Map.of("statistic", "MAX", "value", 0.5)), List.of("1", "2"), Set.of("/cached", "/hello")));
	}

	@Test
	void aWorkerTagNarrowsTheAnswerAndIsNotPassedToTheWorkers() {
		Map<String, Object> arguments = Map.of("requiredMetricName", "http.server.requests", "tag",
				List.of("worker:2", "uri:/cached"));
		assertThat(this.read.arguments(arguments))
			.isEqualTo(Map.of("requiredMetricName", "http.server.requests", "tag", List.of("uri:/cached")));
		TreeMap<Integer, OperationAnswer> others = new TreeMap<>();
		others.put(1, answer(snapshot(3.0, 0.5, "/hello")));
		others.put(2, answer(snapshot(4.0, 0.25, "/cached")));
		assertThat(this.read.merge(METRIC, arguments, null, 0, others, Set.of(0, 1, 2)))
			.isEqualTo(metric(List.of(Map.of("statistic", "COUNT", "value", 4.0), Map.of("statistic", "MAX", "value", 0.25)),
					List.of("2"), Set.of("/cached")));
		assertThat(this.read.merge(METRIC, Map.of("requiredMetricName", "x", "tag", "worker:3"), null, 0, others,
				Set.of(0, 1, 2)))
			.as("no such worker: 404")
			.isNull();
	}

	private static Map<String, Object> metric(List<Map<String, Object>> measurements, List<String> workers,
			Set<String> uris) {
		Map<String, Object> metric = new LinkedHashMap<>();
		metric.put("name", "http.server.requests");
		metric.put("description", "Duration of requests");
		metric.put("baseUnit", "seconds");
		metric.put("measurements", measurements);
		metric.put("availableTags", List.of(Map.of("tag", "worker", "values", workers),
				Map.of("tag", "uri", "values", new TreeSet<>(uris))));
		return metric;
	}

	private static MetricSnapshot snapshot(double count, double max, String uri) {
		LinkedHashMap<String, Double> measurements = new LinkedHashMap<>();
		measurements.put("COUNT", count);
		measurements.put("MAX", max);
		LinkedHashMap<String, TreeSet<String>> tags = new LinkedHashMap<>();
		tags.put("uri", new TreeSet<>(Set.of(uri)));
		return new MetricSnapshot("Duration of requests", "seconds", measurements, tags);
	}

	private static OperationAnswer answer(java.io.Serializable value) {
		return new OperationAnswer(200, null, value);
	}

}
