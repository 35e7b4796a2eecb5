package io.prefork.sample;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One worker that holds one connection at a time, occupied by a 2 s request, and 50 more
 * connections: what each overload policy does with them.
 */
class OverloadIT {

	private static final int CLIENTS = 50;

	private static final Pattern COUNT = Pattern.compile("\"count\":(\\d+)");

	@ParameterizedTest(name = "dispatch {0}")
	@ValueSource(strings = { "pass-fd", "accept-on-command" })
	void rejectAnswers503WithRetryAfterAtOnce(String dispatch) throws Exception {
		try (PreforkServer server = startSingleWorker("--server.prefork.dispatch=" + dispatch,
				"--server.prefork.overload.policy=reject", "--server.prefork.overload.queue-size=0")) {
			CompletableFuture<RawHttp.Response> occupier = occupy(server);
			long sent = System.nanoTime();
			List<RawHttp> clients = connectAndSend(server, CLIENTS, "/hello");
			long slowest = 0;
			for (RawHttp client : clients) {
				long started = System.nanoTime();
				RawHttp.Response response = client.read();
				long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
				slowest = Math.max(slowest, millis);
				assertThat(response.status()).isEqualTo(503);
				assertThat(response.header("Retry-After")).isEqualTo("5");
				assertThat(response.header("Connection")).isEqualTo("close");
				assertThat(millis).as("time to 503").isLessThan(1000);
				assertThat(client.readsEndOfStream()).isTrue();
				client.close();
			}
			System.out.printf("reject (%s): %d answers 503 within %d ms of the first connect, slowest read %d ms%n",
					dispatch, CLIENTS, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent), slowest);
			assertThat(occupier.get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
			server.close();
			assertThat(server.output()).contains("Server reached its capacity")
				.contains("connections turned away: overload=" + CLIENTS + ")");
		}
	}

	@ParameterizedTest(name = "dispatch {0}")
	@ValueSource(strings = { "pass-fd", "accept-on-command" })
	void closeClosesAtOnce(String dispatch) throws Exception {
		try (PreforkServer server = startSingleWorker("--server.prefork.dispatch=" + dispatch,
				"--server.prefork.overload.policy=close", "--server.prefork.overload.queue-size=0")) {
			CompletableFuture<RawHttp.Response> occupier = occupy(server);
			for (RawHttp client : connectAndSend(server, CLIENTS, "/hello")) {
				long started = System.nanoTime();
				assertThat(client.readsEndOfStream()).as("connection closed without an answer").isTrue();
				assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(1000);
				client.close();
			}
			assertThat(occupier.get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
		}
	}

	@Test
	void backpressureServesEveryoneInOrderWithAnIdleMaster() throws Exception {
		try (PreforkServer server = startSingleWorker("--server.prefork.overload.policy=backpressure",
				"--server.prefork.overload.queue-size=10")) {
			CompletableFuture<RawHttp.Response> occupier = occupy(server);
			List<RawHttp> clients = connectAndSend(server, CLIENTS, "/count");
			long cpuBefore = cpuTicks(server.pid());
			long wallBefore = System.nanoTime();
			assertThat(occupier.get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
			long cpuTicks = cpuTicks(server.pid()) - cpuBefore;
			long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - wallBefore);
			for (int i = 0; i < clients.size(); i++) {
				RawHttp.Response response = clients.get(i).read();
				assertThat(response.status()).isEqualTo(200);
				Matcher count = COUNT.matcher(response.body());
				assertThat(count.find()).isTrue();
				assertThat(Integer.parseInt(count.group(1))).as("served in connection order").isEqualTo(i + 1);
				clients.get(i).close();
			}
			// Clock ticks are 10 ms: the master may wake a few times, but must not spin.
			assertThat(cpuTicks * 10).as("master CPU ms while saturated for %d ms", waitedMillis)
				.isLessThan(Math.max(200, waitedMillis / 4));
			System.out.printf("backpressure: master used %d ms CPU during %d ms of saturation%n", cpuTicks * 10,
					waitedMillis);
		}
	}

	@Test
	void connectionsQueuedLongerThanMaxQueueWaitGet503() throws Exception {
		try (PreforkServer server = startSingleWorker("--server.prefork.overload.policy=backpressure",
				"--server.prefork.overload.queue-size=10", "--server.prefork.overload.max-queue-wait=500ms")) {
			CompletableFuture<RawHttp.Response> occupier = occupy(server);
			long connected = System.nanoTime();
			for (RawHttp client : connectAndSend(server, 10, "/hello")) {
				RawHttp.Response response = client.read();
				long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - connected);
				assertThat(response.status()).isEqualTo(503);
				assertThat(waited).as("waited before the 503").isBetween(450L, 1900L);
				client.close();
			}
			assertThat(occupier.get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
			server.close();
			assertThat(server.output()).contains("connections turned away: queue-timeout=10)");
		}
	}

	private static PreforkServer startSingleWorker(String... overload) throws IOException {
		List<String> arguments = new ArrayList<>(List.of("--server.prefork.workers=1",
				"--server.prefork.worker.threads=1", "--server.prefork.worker.max-connections=1"));
		arguments.addAll(List.of(overload));
		PreforkServer server = PreforkServer.start(arguments.toArray(String[]::new));
		server.awaitWorkersReady(1);
		return server;
	}

	/** Occupies the only worker for 2 s; returns once the request is sent. */
	private static CompletableFuture<RawHttp.Response> occupy(PreforkServer server) throws IOException {
		RawHttp occupier = new RawHttp(server.port());
		occupier.send("/sleep?ms=2000", true);
		return CompletableFuture.supplyAsync(() -> {
			try (occupier) {
				return occupier.read();
			}
			catch (IOException ex) {
				throw new AssertionError("The occupying request failed", ex);
			}
		});
	}

	private static List<RawHttp> connectAndSend(PreforkServer server, int count, String path) throws IOException {
		List<RawHttp> clients = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			RawHttp client = new RawHttp(server.port());
			client.send(path, true);
			clients.add(client);
		}
		return clients;
	}

	private static long cpuTicks(long pid) throws IOException {
		String stat = Files.readString(Path.of("/proc/" + pid + "/stat"), StandardCharsets.US_ASCII);
		String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
		// utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
		return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
	}

}
