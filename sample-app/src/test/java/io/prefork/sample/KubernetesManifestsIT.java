package io.prefork.sample;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Kubernetes manifests in {@code deploy/kubernetes} agree with each other and with the
 * application: the sample started with the Deployment's arguments (and the image's
 * entrypoint options) answers its probes and scrapes where the manifests say, fits its
 * memory limit, and drains within the termination grace period.
 */
class KubernetesManifestsIT {

	private static final Path DEPLOY = Path.of("..", "deploy");

	private static final Pattern MANAGEMENT_PORT = Pattern.compile("management port \\S+:(\\d+) with");

	private static final Pattern ARGUMENT = Pattern.compile("--([^=]+)=(.*)");

	private static final Pattern ENTRYPOINT = Pattern.compile("(?m)^ENTRYPOINT \\[(.*)\\]$");

	private static List<Map<String, Object>> manifests;

	@BeforeAll
	static void readManifests() throws IOException {
		manifests = new ArrayList<>();
		try (Stream<Path> files = Files.list(DEPLOY.resolve("kubernetes"))) {
			for (Path file : files.filter((each) -> each.toString().endsWith(".yaml")).sorted().toList()) {
				try (Reader reader = Files.newBufferedReader(file)) {
					for (Object document : new Yaml().loadAll(reader)) {
						manifests.add(map(document));
					}
				}
			}
		}
	}

	@Test
	void selectorsAndNamesAgree() {
		Map<String, Object> deployment = manifest("Deployment");
		Map<String, Object> podLabels = map(at(deployment, "spec.template.metadata.labels"));
		assertThat(podLabels).containsAllEntriesOf(map(at(deployment, "spec.selector.matchLabels")));
		assertThat(podLabels).containsAllEntriesOf(map(at(manifest("Service"), "spec.selector")));
		assertThat(podLabels).containsAllEntriesOf(map(at(manifest("PodDisruptionBudget"), "spec.selector.matchLabels")));
		Map<String, Object> service = manifest("Service");
		assertThat(list(at(service, "spec.ports"))).extracting((port) -> map(port).get("targetPort"))
			.containsExactly("http");
		Map<String, Object> hpa = manifest("HorizontalPodAutoscaler");
		assertThat(at(hpa, "spec.scaleTargetRef.kind")).isEqualTo("Deployment");
		assertThat(at(hpa, "spec.scaleTargetRef.name")).isEqualTo(at(deployment, "metadata.name"));
		Map<String, Object> rules = map(new Yaml().load((String) at(manifest("ConfigMap"), "data.config\\.yaml")));
		Map<String, Object> rule = map(list(rules.get("rules")).get(0));
		assertThat(at(map(list(at(hpa, "spec.metrics")).get(0)), "pods.metric.name"))
			.isEqualTo(at(rule, "name.as"));
	}

	@Test
	void portsProbesAndGracePeriodAgreeWithTheApplication() {
		Map<String, Object> pod = map(at(manifest("Deployment"), "spec.template"));
		Map<String, Object> container = container();
		Map<String, String> arguments = arguments(container);
		assertThat(containerPort(container, "http")).as("containerPort http = server.port")
			.isEqualTo(Integer.parseInt(arguments.get("server.port")));
		int management = containerPort(container, "management");
		assertThat(management).as("containerPort management = management.server.port")
			.isEqualTo(Integer.parseInt(arguments.get("management.server.port")));
		for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
			assertThat(at(container, probe + ".httpGet.port")).as(probe + " port").isEqualTo("management");
		}
		assertThat(at(pod, "metadata.annotations.prometheus\\.io/port")).isEqualTo(Integer.toString(management));
		long grace = ((Number) at(pod, "spec.terminationGracePeriodSeconds")).longValue();
		long drain = Duration.parse("PT" + arguments.get("server.prefork.timeouts.graceful-shutdown").toUpperCase())
			.toSeconds();
		assertThat(grace).as("terminationGracePeriodSeconds >= graceful drain + preStop")
			.isGreaterThanOrEqualTo(drain + preStopSeconds(container));
	}

	@Test
	void theApplicationAnswersItsProbesFitsItsLimitAndDrainsInTime() throws Exception {
		Map<String, Object> container = container();
		Map<String, String> arguments = arguments(container);
		List<String> command = new ArrayList<>();
		arguments.forEach((name, value) -> command.add("--" + name + "=" + value));
		// Loopback and free ports here; the pod's memory and CPU limits as the master's plan.
		command.addAll(List.of("--server.port=0", "--management.server.port=0", "--server.prefork.workers="
				+ at(container, "resources.limits.cpu"), "--server.prefork.container.memory-limit="
				+ ((String) at(container, "resources.limits.memory")).replace("Gi", "GB").replace("Mi", "MB"),
				"--server.prefork.worker.jvm-options=-XX:TieredStopAtLevel=1"));
		try (PreforkServer server = PreforkServer.startWrapped(List.of(), entrypointJvmOptions(),
				command.toArray(String[]::new))) {
			assertThat(server.output()).containsPattern("Memory plan: \\d+ workers x \\d+ MB heap, master 48 MB heap");
			server.awaitWorkersReady(Integer.parseInt(at(container, "resources.limits.cpu").toString()));
			int management = managementPort(server);
			assertThat(RawHttp.getOnce(management, path(container, "startupProbe")).status()).isEqualTo(200);
			assertThat(RawHttp.getOnce(management, path(container, "livenessProbe")).status()).isEqualTo(200);
			RawHttp.Response readiness = RawHttp.getOnce(management, path(container, "readinessProbe"));
			assertThat(readiness.status()).isEqualTo(200);
			assertThat(readiness.body()).contains("\"prefork\"", "\"readinessState\"");
			String scrape = (String) at(map(at(manifest("Deployment"), "spec.template")),
					"metadata.annotations.prometheus\\.io/path");

			try (RawHttp slow = new RawHttp(server.port())) {
				slow.send("/sleep?ms=4000", true);
				server.awaitTrue("a busy worker in the scrape", Duration.ofSeconds(30),
						() -> busyWorkers(RawHttp.getOnceQuietly(management, scrape)) >= 1);
				long stopped = System.nanoTime();
				server.signal("TERM");
				// While in-flight requests finish, the pod leaves the endpoints (readiness 503)
				// but is not restarted (liveness 200): the stopping workers answer the probes.
				server.awaitTrue("the readiness probe answering 503 while draining", Duration.ofSeconds(10),
						() -> status(management, path(container, "readinessProbe")) == 503);
				assertThat(RawHttp.getOnce(management, path(container, "livenessProbe")).status())
					.as("liveness while draining").isEqualTo(200);
				assertThat(slow.read().status()).as("the request in flight at SIGTERM").isEqualTo(200);
				long grace = ((Number) at(manifest("Deployment"), "spec.template.spec.terminationGracePeriodSeconds"))
					.longValue();
				long budget = grace - preStopSeconds(container);
				assertThat(server.process().waitFor(budget, TimeUnit.SECONDS)).as("exited within " + budget + " s")
					.isTrue();
				assertThat(server.process().exitValue()).isZero();
				System.out.printf("drain: master exited 0 %d ms after SIGTERM (budget %d s)%n",
						TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped), budget);
			}
		}
	}

	private static int busyWorkers(String scrape) {
		Matcher busy = Pattern.compile("(?m)^prefork_workers\\{[^}]*state=\"busy\"[^}]*\\} (\\S+)").matcher(scrape);
		return busy.find() ? (int) Double.parseDouble(busy.group(1)) : -1;
	}

	private static int status(int port, String path) {
		try {
			return RawHttp.getOnce(port, path).status();
		}
		catch (IOException ex) {
			return -1;
		}
	}

	private static int managementPort(PreforkServer server) {
		Matcher matcher = MANAGEMENT_PORT.matcher(server.output());
		assertThat(matcher.find()).as("the master logs its management port").isTrue();
		return Integer.parseInt(matcher.group(1));
	}

	// The JVM options of the image's ENTRYPOINT, which the master runs with.
	static List<String> entrypointJvmOptions() throws IOException {
		Matcher entrypoint = ENTRYPOINT.matcher(Files.readString(DEPLOY.resolve("container/Dockerfile")));
		assertThat(entrypoint.find()).as("an exec-form ENTRYPOINT").isTrue();
		List<String> words = new ArrayList<>();
		for (String word : entrypoint.group(1).split(",")) {
			words.add(word.trim().replaceAll("^\"|\"$", ""));
		}
		assertThat(words.get(0)).isEqualTo("java");
		return words.subList(1, words.indexOf("-jar"));
	}

	private static long preStopSeconds(Map<String, Object> container) {
		List<Object> command = list(at(container, "lifecycle.preStop.exec.command"));
		assertThat(command.get(0)).isEqualTo("sleep");
		return Long.parseLong(command.get(1).toString());
	}

	private static String path(Map<String, Object> container, String probe) {
		return (String) at(container, probe + ".httpGet.path");
	}

	private static int containerPort(Map<String, Object> container, String name) {
		return list(container.get("ports")).stream()
			.map(KubernetesManifestsIT::map)
			.filter((port) -> name.equals(port.get("name")))
			.map((port) -> ((Number) port.get("containerPort")).intValue())
			.findFirst()
			.orElseThrow(() -> new AssertionError("no container port named " + name));
	}

	private static Map<String, String> arguments(Map<String, Object> container) {
		Map<String, String> arguments = new LinkedHashMap<>();
		for (Object argument : list(container.get("args"))) {
			Matcher matcher = ARGUMENT.matcher(argument.toString());
			assertThat(matcher.matches()).as("argument " + argument).isTrue();
			arguments.put(matcher.group(1), matcher.group(2));
		}
		return arguments;
	}

	private static Map<String, Object> container() {
		List<Object> containers = list(at(manifest("Deployment"), "spec.template.spec.containers"));
		assertThat(containers).hasSize(1);
		return map(containers.get(0));
	}

	private static Map<String, Object> manifest(String kind) {
		List<Map<String, Object>> found = manifests.stream().filter((each) -> kind.equals(each.get("kind"))).toList();
		assertThat(found).as("manifests of kind " + kind).hasSize(1);
		return found.get(0);
	}

	// A dotted path; "\\." escapes a dot inside a key such as prometheus.io/port.
	private static Object at(Map<String, Object> root, String path) {
		Object node = root;
		for (String key : path.split("(?<!\\\\)\\.")) {
			assertThat(node).as(path).isInstanceOf(Map.class);
			node = map(node).get(key.replace("\\.", "."));
		}
		assertThat(node).as(path).isNotNull();
		return node;
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> map(Object node) {
		return (Map<String, Object>) node;
	}

	@SuppressWarnings("unchecked")
	private static List<Object> list(Object node) {
		return (List<Object>) node;
	}

}
