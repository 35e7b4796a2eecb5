package io.prefork.worker;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.prefork.PreforkSettings;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The warm-up's client against a small scripted server standing in for Tomcat behind the
 * connection sink, over real loopback connections.
 */
class WarmupTests {

	private final List<SocketChannel> served = new CopyOnWriteArrayList<>();

	private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();

	private final List<String> warmupHeaders = new CopyOnWriteArrayList<>();

	@AfterEach
	void closeServedConnections() throws IOException {
		for (SocketChannel connection : this.served) {
			connection.close();
		}
	}

	@Test
	void sendsTheRequestsToThePathsInTurnOverKeepAliveConnections() throws IOException {
		Warmup.Result result = run(List.of("/fixed", "/chunked"), 20, 2, Duration.ofSeconds(30));
		assertThat(result.completed()).isEqualTo(20);
		assertThat(result.failed()).isZero();
		assertThat(result.firstFailure()).isNull();
		assertThat(result.timedOut()).isFalse();
		assertThat(this.hits.get("/fixed")).hasValue(10);
		assertThat(this.hits.get("/chunked")).hasValue(10);
		assertThat(this.warmupHeaders).hasSize(20).containsOnly("1");
		// Kept alive: at most one connection per lane. A lane dials only once it has a request
		// to send, and on a busy machine the first may take all 20 before the second starts.
		assertThat(this.served).hasSizeBetween(1, 2);
	}

	@Test
	void reconnectsWhenTheServerClosesAfterAnAnswer() throws IOException {
		Warmup.Result result = run(List.of("/close"), 3, 1, Duration.ofSeconds(30));
		assertThat(result.completed()).isEqualTo(3);
		assertThat(result.failed()).isZero();
		assertThat(this.served).hasSize(3);
	}

	@Test
	void countsAnswersOtherThan2xxOr3xxAndBrokenConnectionsAsFailures() throws IOException {
		Warmup.Result result = run(List.of("/fixed", "/missing", "/redirect", "/drop"), 8, 1, Duration.ofSeconds(30));
		assertThat(result.completed()).isEqualTo(8);
		assertThat(result.failed()).isEqualTo(4);
		assertThat(result.firstFailure()).isEqualTo("GET /missing answered 404");
		assertThat(result.timedOut()).isFalse();
	}

	@Test
	void stopsAtItsTimeoutWhenAnAnswerNeverComes() throws IOException {
		long started = System.nanoTime();
		Warmup.Result result = run(List.of("/fixed", "/hang"), 10, 2, Duration.ofMillis(500));
		assertThat(result.timedOut()).isTrue();
		assertThat(result.completed()).isLessThan(10);
		assertThat(result.failed()).isZero();
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
	}

	@Test
	void goesOnPastThePlannedRequestsWhileTheJitCompilersAreBusyAndStopsWhenTheyAreQuiet() throws IOException {
		// Busy for the first two steps (the compilers used all the process's CPU), then quiet
		// for the two steps that end it.
		AtomicLong calls = new AtomicLong();
		LongSupplier compiler = () -> Math.min(calls.getAndIncrement(), 3) * 1000;
		PreforkSettings.Warmup plan = untilCompiled(Duration.ofSeconds(30));
		Warmup.Result result = Warmup.throughSink(plan, this::serve, "warmup-test", compiler, oneCpu());
		assertThat(result.jit()).isEqualTo(Warmup.Jit.QUIET);
		assertThat(result.completed()).isGreaterThan(10);
		assertThat(this.hits.get("/fixed")).hasValue(result.completed());
		assertThat(result.failed()).isZero();
		assertThat(result.timedOut()).isFalse();
		assertThat(calls.get()).as("readings of the compilers' time").isEqualTo(6);
		assertThat(result.describe(plan)).matches("10 requests to 1 path and " + (result.completed() - 10)
				+ " more until the JIT compilers were quiet, in \\d+\\.\\d s, 0 failed");
	}

	@Test
	void endsWhenTheTimeIsUpIfTheJitCompilersNeverGoQuiet() throws IOException {
		AtomicLong compiled = new AtomicLong();
		PreforkSettings.Warmup plan = untilCompiled(Duration.ofMillis(2500));
		Warmup.Result result = Warmup.throughSink(plan, this::serve, "warmup-test",
				() -> compiled.addAndGet(5000), oneCpu());
		assertThat(result.jit()).isEqualTo(Warmup.Jit.BUSY);
		assertThat(result.timedOut()).as("the planned requests were all answered").isFalse();
		assertThat(result.completed()).isGreaterThan(10);
		assertThat(result.describe(plan)).contains(" more, the JIT compilers still busy when the time was up, in ");
	}

	@Test
	void sendsThePlannedRequestsOnlyWhereTheJitCannotBeMeasured() throws IOException {
		PreforkSettings.Warmup plan = untilCompiled(Duration.ofSeconds(30));
		Warmup.Result result = Warmup.throughSink(plan, this::serve, "warmup-test", () -> -1, oneCpu());
		assertThat(result.jit()).isEqualTo(Warmup.Jit.NOT_AWAITED);
		assertThat(result.completed()).isEqualTo(10);
		assertThat(result.describe(plan)).matches("10 requests to 1 path in \\d+\\.\\d s, 0 failed");
	}

	@Test
	void judgesTheCompilersByTheProcesssCpuNotTheClock() throws IOException {
		// 60 ms of compiling in each one-second step is 6 % of a CPU, but the process got only
		// 200 ms in each: the compilers are taking most of what it gets.
		AtomicLong compiled = new AtomicLong();
		AtomicLong used = new AtomicLong();
		PreforkSettings.Warmup plan = untilCompiled(Duration.ofMillis(3500));
		Warmup.Result result = Warmup.throughSink(plan, this::serve, "warmup-test", () -> compiled.addAndGet(60),
				() -> used.addAndGet(200));
		assertThat(result.jit()).isEqualTo(Warmup.Jit.BUSY);
	}

	@Test
	void makesAStepLastUntilTheProcessHasUsedEnoughCpuToJudge() throws IOException {
		// 100 ms of CPU a second: each step takes two seconds, and two quiet steps end it.
		AtomicLong compilerReadings = new AtomicLong();
		AtomicLong used = new AtomicLong();
		PreforkSettings.Warmup plan = untilCompiled(Duration.ofSeconds(30));
		Warmup.Result result = Warmup.throughSink(plan, this::serve, "warmup-test", () -> {
			compilerReadings.incrementAndGet();
			return 0;
		}, () -> used.addAndGet(100));
		assertThat(result.jit()).isEqualTo(Warmup.Jit.QUIET);
		assertThat(compilerReadings.get()).as("compiler readings: one to check, one to start, one a step").isEqualTo(4);
		assertThat(used.get() / 100).as("process readings: one to check, one to start, two a step").isEqualTo(6);
	}

	// Ten requests to one path over two connections, then on until the compilers are quiet.
	private static PreforkSettings.Warmup untilCompiled(Duration timeout) {
		return new PreforkSettings.Warmup(List.of("/fixed"), 10, 2, timeout, true);
	}

	// A process using one CPU: its CPU time is the clock's.
	private static LongSupplier oneCpu() {
		return () -> System.nanoTime() / 1_000_000;
	}

	private Warmup.Result run(List<String> paths, int requests, int concurrency, Duration timeout) throws IOException {
		return Warmup.throughSink(new PreforkSettings.Warmup(paths, requests, concurrency, timeout, false), this::serve,
				"warmup-test");
	}

	private boolean serve(SocketChannel connection) {
		this.served.add(connection);
		Thread thread = new Thread(() -> answer(connection), "warmup-test-server");
		thread.setDaemon(true);
		thread.start();
		return true;
	}

	// One request at a time, as Tomcat does on a keep-alive connection.
	private void answer(SocketChannel connection) {
		try (connection) {
			BufferedReader in = new BufferedReader(
					new InputStreamReader(Channels.newInputStream(connection), StandardCharsets.ISO_8859_1));
			OutputStream out = Channels.newOutputStream(connection);
			String line;
			while ((line = in.readLine()) != null) {
				String path = line.split(" ")[1];
				while (!(line = in.readLine()).isEmpty()) {
					if (line.startsWith(Worker.WARMUP_HEADER + ": ")) {
						this.warmupHeaders.add(line.substring(Worker.WARMUP_HEADER.length() + 2));
					}
				}
				this.hits.computeIfAbsent(path, (key) -> new AtomicInteger()).incrementAndGet();
				if (!respond(path, out)) {
					return;
				}
			}
		}
		catch (IOException ex) {
			// The client went away.
		}
	}

	private static boolean respond(String path, OutputStream out) throws IOException {
		switch (path) {
			case "/fixed" -> write(out,
					"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
			case "/chunked" -> write(out, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
					+ "3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nTrailer: x\r\n\r\n");
			case "/missing" -> write(out, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
			case "/redirect" -> write(out, "HTTP/1.1 302 Found\r\nLocation: /\r\nContent-Length: 0\r\n\r\n");
			case "/close" -> {
				write(out, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end");
				return false;
			}
			case "/drop" -> {
				return false;
			}
			case "/hang" -> {
				sleep();
				return false;
			}
			default -> write(out, "HTTP/1.1 500 Unknown\r\nContent-Length: 0\r\n\r\n");
		}
		return true;
	}

	private static void write(OutputStream out, String response) throws IOException {
		out.write(response.getBytes(StandardCharsets.ISO_8859_1));
		out.flush();
	}

	private static void sleep() {
		try {
			Thread.sleep(30_000);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
