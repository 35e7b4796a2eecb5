package io.prefork.metrics;

import java.util.Set;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PrometheusTextMergerTests {

	private static final String WORKER_0 = """
			# HELP jvm_memory_used_bytes The amount of used memory
			# TYPE jvm_memory_used_bytes gauge
			jvm_memory_used_bytes{area="heap",id="eden"} 10.0
			jvm_memory_used_bytes{area="nonheap",id="odd}name"} 11.0
			# HELP http_server_requests_seconds Duration of HTTP server request handling
			# TYPE http_server_requests_seconds histogram
			http_server_requests_seconds_bucket{uri="/hello",le="+Inf"} 3
			http_server_requests_seconds_count{uri="/hello"} 3
			http_server_requests_seconds_sum{uri="/hello"} 0.25
			# HELP prefork_requests_total Requests served by all workers
			# TYPE prefork_requests_total counter
			prefork_requests_total 42.0
			# HELP prefork_worker_requests Requests served by the slot's workers
			# TYPE prefork_worker_requests gauge
			prefork_worker_requests{slot="0"} 30.0
			prefork_worker_requests{slot="1"} 12.0
			prefork_worker_requests{slot="2"} 0.0
			# HELP process_uptime_seconds The uptime
			# TYPE process_uptime_seconds gauge
			process_uptime_seconds 7.5
			""";

	private static final String WORKER_1 = """
			# HELP jvm_memory_used_bytes The amount of used memory
			# TYPE jvm_memory_used_bytes gauge
			jvm_memory_used_bytes{area="heap",id="eden"} 20.0
			# HELP app_orders_total Orders
			# TYPE app_orders_total counter
			app_orders_total{} 5.0
			# HELP prefork_requests_total Requests served by all workers
			# TYPE prefork_requests_total counter
			prefork_requests_total 42.0
			# HELP prefork_worker_requests Requests served by the slot's workers
			# TYPE prefork_worker_requests gauge
			prefork_worker_requests{slot="0"} 30.0
			prefork_worker_requests{slot="1"} 12.0
			prefork_worker_requests{slot="2"} 0.0
			# HELP process_uptime_seconds The uptime
			# TYPE process_uptime_seconds gauge
			process_uptime_seconds 3.0
			""";

	@Test
	void oneHeaderPerFamilyThenEveryWorkersSamplesLabelledByTheirSlot() {
		TreeMap<Integer, String> scrapes = new TreeMap<>();
		scrapes.put(1, WORKER_1);
		scrapes.put(0, WORKER_0);
		assertThat(PrometheusTextMerger.merge(scrapes, 1, Set.of(0, 1))).isEqualTo("""
				# HELP jvm_memory_used_bytes The amount of used memory
				# TYPE jvm_memory_used_bytes gauge
				jvm_memory_used_bytes{worker="0",area="heap",id="eden"} 10.0
				jvm_memory_used_bytes{worker="0",area="nonheap",id="odd}name"} 11.0
				jvm_memory_used_bytes{worker="1",area="heap",id="eden"} 20.0
				# HELP http_server_requests_seconds Duration of HTTP server request handling
				# TYPE http_server_requests_seconds histogram
				http_server_requests_seconds_bucket{worker="0",uri="/hello",le="+Inf"} 3
				http_server_requests_seconds_count{worker="0",uri="/hello"} 3
				http_server_requests_seconds_sum{worker="0",uri="/hello"} 0.25
				# HELP prefork_requests_total Requests served by all workers
				# TYPE prefork_requests_total counter
				prefork_requests_total 42.0
				# HELP prefork_worker_requests Requests served by the slot's workers
				# TYPE prefork_worker_requests gauge
				prefork_worker_requests{slot="0"} 30.0
				prefork_worker_requests{slot="1"} 12.0
				# HELP process_uptime_seconds The uptime
				# TYPE process_uptime_seconds gauge
				process_uptime_seconds{worker="0"} 7.5
				process_uptime_seconds{worker="1"} 3.0
				# HELP app_orders_total Orders
				# TYPE app_orders_total counter
				app_orders_total{worker="1"} 5.0
				""");
	}

	@Test
	void insertsTheLabelIntoEveryShapeOfSample() {
		assertThat(PrometheusTextMerger.withWorker("up 1", 3)).isEqualTo("up{worker=\"3\"} 1");
		assertThat(PrometheusTextMerger.withWorker("up{} 1 1700000000", 3)).isEqualTo("up{worker=\"3\"} 1 1700000000");
		assertThat(PrometheusTextMerger.withWorker("up{a=\"b\"} 1", 3)).isEqualTo("up{worker=\"3\",a=\"b\"} 1");
	}

}
