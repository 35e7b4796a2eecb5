package io.prefork.sample;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.catalina.Globals;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.prefork.application.WorkerInfo;

/**
 * Endpoints that show what process isolation buys: who answered, CPU work, slow requests,
 * large downloads, and requests that crash, hang or leak.
 */
@RestController
class SampleController {

	private static final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

	/** Retained on purpose by {@code /leak}. */
	private static final List<byte[]> leaked = new ArrayList<>();

	private final AtomicLong counter = new AtomicLong();

	/** The files {@code /sendfile} serves, by size in KB, written once per process. */
	private final Map<Integer, Path> files = new ConcurrentHashMap<>();

	private final long pid = ProcessHandle.current().pid();

	private final int slot;

	private final ObjectProvider<WorkerInfo> worker;

	SampleController(@Value("${prefork.worker.slot:-1}") int slot, ObjectProvider<WorkerInfo> worker) {
		this.slot = slot;
		this.worker = worker;
	}

	@GetMapping("/hello")
	Map<String, Object> hello() {
		return Map.of("message", "hello", "pid", this.pid, "slot", this.slot);
	}

	/**
	 * The application's version as configured ({@code sample.version}), to see an upgrade
	 * take effect.
	 */
	@GetMapping("/version")
	String version(@Value("${sample.version:1}") String version) {
		return version;
	}

	/**
	 * Who this worker is; 404 when the application runs without prefork.
	 */
	@GetMapping("/worker")
	ResponseEntity<WorkerInfo> worker() {
		WorkerInfo info = this.worker.getIfAvailable();
		return (info != null) ? ResponseEntity.ok(info) : ResponseEntity.notFound().build();
	}

	@GetMapping("/count")
	Map<String, Object> count() {
		return Map.of("count", this.counter.incrementAndGet(), "pid", this.pid);
	}

	@GetMapping("/client")
	Map<String, Object> client(HttpServletRequest request) {
		return Map.of("address", request.getRemoteAddr(), "port", request.getRemotePort(), "pid", this.pid);
	}

	@GetMapping("/cpu")
	Map<String, Object> cpu(@RequestParam(defaultValue = "10") long ms) {
		long until = threads.getCurrentThreadCpuTime() + TimeUnit.MILLISECONDS.toNanos(ms);
		long spins = 0;
		double sink = 0;
		while (threads.getCurrentThreadCpuTime() < until) {
			for (int i = 0; i < 10_000; i++) {
				sink += Math.sqrt(i + spins);
			}
			spins++;
		}
		return Map.of("cpuMs", ms, "spins", spins, "pid", this.pid, "sink", sink > 0);
	}

	@GetMapping("/sleep")
	Map<String, Object> sleep(@RequestParam(defaultValue = "100") long ms) throws InterruptedException {
		Thread.sleep(ms);
		return Map.of("sleptMs", ms, "pid", this.pid);
	}

	/**
	 * A large download ({@code kb} kilobytes of {@code x}), written as it is produced: a
	 * client that reads slowly holds the request thread in blocked writes.
	 */
	@GetMapping("/bytes")
	void bytes(@RequestParam(defaultValue = "1024") int kb, HttpServletResponse response) throws IOException {
		response.setContentType("text/plain");
		response.setContentLengthLong(kb * 1024L);
		writeX(response.getOutputStream(), kb);
	}

	/**
	 * Like {@code /bytes}, but from a file that Tomcat writes itself with {@code sendfile}
	 * once this method returns, as its default servlet serves static files; the answer says
	 * {@code X-Sendfile: true} when it did.
	 */
	@GetMapping("/sendfile")
	void sendfile(@RequestParam(defaultValue = "1024") int kb, HttpServletRequest request,
			HttpServletResponse response) throws IOException {
		Path file = this.files.computeIfAbsent(kb, SampleController::fileOfX);
		response.setContentType("text/plain");
		response.setContentLengthLong(kb * 1024L);
		if (Boolean.TRUE.equals(request.getAttribute(Globals.SENDFILE_SUPPORTED_ATTR))) {
			response.setHeader("X-Sendfile", "true");
			request.setAttribute(Globals.SENDFILE_FILENAME_ATTR, file.toString());
			request.setAttribute(Globals.SENDFILE_FILE_START_ATTR, 0L);
			request.setAttribute(Globals.SENDFILE_FILE_END_ATTR, kb * 1024L);
		}
		else {
			Files.copy(file, response.getOutputStream());
		}
	}

	private static Path fileOfX(int kb) {
		try {
			Path file = Files.createTempFile("prefork-sample-", ".txt");
			file.toFile().deleteOnExit();
			try (OutputStream out = Files.newOutputStream(file)) {
				writeX(out, kb);
			}
			return file;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static void writeX(OutputStream out, int kb) throws IOException {
		byte[] chunk = new byte[1024];
		Arrays.fill(chunk, (byte) 'x');
		for (int i = 0; i < kb; i++) {
			out.write(chunk);
		}
	}

	@GetMapping("/crash")
	void crash() {
		// Abrupt, like a native crash: no shutdown hooks, no response.
		Runtime.getRuntime().halt(70);
	}

	@GetMapping("/hang")
	void hang() {
		while (!Thread.currentThread().isInterrupted()) {
			Thread.onSpinWait();
		}
	}

	@GetMapping("/leak")
	Map<String, Object> leak(@RequestParam(defaultValue = "10") int mb) {
		synchronized (leaked) {
			for (int i = 0; i < mb; i++) {
				leaked.add(new byte[1024 * 1024]);
			}
			return Map.of("retainedMb", leaked.size(), "pid", this.pid);
		}
	}

}
