package io.prefork.autoconfigure;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;

import io.prefork.DispatchMode;
import io.prefork.InvalidPropertyException;
import io.prefork.OverloadPolicy;
import io.prefork.PreforkSettings;

/**
 * Configuration of the prefork server ({@code server.prefork.*}). Where it listens comes
 * from Spring Boot's own {@code server.port} and {@code server.address}.
 */
@ConfigurationProperties("server.prefork")
public class PreforkProperties {

	/**
	 * Whether the application's main method starts a prefork server (a master with worker
	 * processes) instead of one embedded Tomcat.
	 */
	private boolean enabled = true;

	/**
	 * Number of worker processes. Defaults to the number of available processors, and at
	 * least 2 so that one crashing worker never leaves the pool empty.
	 */
	private Integer workers;

	/**
	 * How connections get to workers: pass-fd (the master accepts and passes each
	 * connection), accept-on-command (the master tells one worker to accept), or
	 * shared-accept (workers accept on their own).
	 */
	private DispatchMode dispatch = DispatchMode.PASS_FD;

	private final Worker worker = new Worker();

	private final Timeouts timeouts = new Timeouts();

	private final Overload overload = new Overload();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public Integer getWorkers() {
		return this.workers;
	}

	public void setWorkers(Integer workers) {
		this.workers = workers;
	}

	public DispatchMode getDispatch() {
		return this.dispatch;
	}

	public void setDispatch(DispatchMode dispatch) {
		this.dispatch = dispatch;
	}

	public Worker getWorker() {
		return this.worker;
	}

	public Timeouts getTimeouts() {
		return this.timeouts;
	}

	public Overload getOverload() {
		return this.overload;
	}

	/**
	 * Validate and map onto the engine's settings.
	 * @param address the address to listen on ({@code server.address}), or {@code null}
	 * @param port the port to listen on ({@code server.port})
	 * @return the settings
	 * @throws InvalidPropertyException naming the first property with an unusable value
	 */
	public PreforkSettings toSettings(InetAddress address, int port) {
		check(port >= 0 && port <= 65535, "server.port", port, "must be between 0 and 65535");
		int workerCount = (this.workers != null) ? this.workers
				: Math.max(2, Runtime.getRuntime().availableProcessors());
		check(workerCount >= 1 && workerCount <= 1024, "server.prefork.workers", workerCount,
				"must be between 1 and 1024");
		check(this.dispatch != null, "server.prefork.dispatch", null,
				"must be one of pass-fd, accept-on-command, shared-accept");
		check(this.worker.threads >= 1, "server.prefork.worker.threads", this.worker.threads, "must be at least 1");
		check(this.worker.maxConnections >= 1, "server.prefork.worker.max-connections", this.worker.maxConnections,
				"must be at least 1");
		checkPositive("server.prefork.timeouts.boot", this.timeouts.boot);
		checkPositive("server.prefork.timeouts.handoff", this.timeouts.handoff);
		checkPositive("server.prefork.timeouts.graceful-shutdown", this.timeouts.gracefulShutdown);
		check(this.overload.policy != null, "server.prefork.overload.policy", null,
				"must be one of backpressure, close, reject");
		check(this.overload.queueSize >= 0, "server.prefork.overload.queue-size", this.overload.queueSize,
				"must be 0 or more");
		checkPositive("server.prefork.overload.max-queue-wait", this.overload.maxQueueWait);
		checkPositive("server.prefork.overload.retry-after", this.overload.retryAfter);
		check(this.overload.backlog >= 1, "server.prefork.overload.backlog", this.overload.backlog,
				"must be at least 1");
		return new PreforkSettings(address, port, workerCount, this.dispatch,
				new PreforkSettings.Timeouts(this.timeouts.boot, this.timeouts.handoff, this.timeouts.gracefulShutdown),
				new PreforkSettings.Worker(this.worker.threads, this.worker.maxConnections, this.worker.jvmOptionList()),
				new PreforkSettings.Overload(this.overload.policy, this.overload.queueSize, this.overload.maxQueueWait,
						this.overload.retryAfter, this.overload.backlog));
	}

	private static void checkPositive(String property, Duration value) {
		check(value != null && !value.isNegative() && !value.isZero(), property, value, "must be a positive duration");
	}

	private static void check(boolean valid, String property, Object value, String reason) {
		if (!valid) {
			throw new InvalidPropertyException(property, value, reason);
		}
	}

	/**
	 * Worker processes.
	 */
	public static class Worker {

		/**
		 * Maximum number of request-processing threads in each worker.
		 */
		private int threads = 50;

		/**
		 * Maximum number of connections each worker holds at once; the master hands a worker
		 * no more than this.
		 */
		private int maxConnections = 1000;

		/**
		 * Extra JVM options for worker processes, separated by spaces (e.g. "-Xmx256m
		 * -XX:+UseSerialGC"). They come after the master's own JVM options, so they win.
		 */
		private String jvmOptions = "";

		public int getThreads() {
			return this.threads;
		}

		public void setThreads(int threads) {
			this.threads = threads;
		}

		public int getMaxConnections() {
			return this.maxConnections;
		}

		public void setMaxConnections(int maxConnections) {
			this.maxConnections = maxConnections;
		}

		public String getJvmOptions() {
			return this.jvmOptions;
		}

		public void setJvmOptions(String jvmOptions) {
			this.jvmOptions = jvmOptions;
		}

		List<String> jvmOptionList() {
			String trimmed = (this.jvmOptions != null) ? this.jvmOptions.trim() : "";
			return trimmed.isEmpty() ? List.of() : Arrays.asList(trimmed.split("\\s+"));
		}

	}

	/**
	 * Timeouts.
	 */
	public static class Timeouts {

		/**
		 * Maximum time a worker may take from spawn to ready before it is killed.
		 */
		private Duration boot = Duration.ofSeconds(60);

		/**
		 * Maximum time a worker may take to acknowledge a handed-over connection before it
		 * is killed.
		 */
		private Duration handoff = Duration.ofSeconds(10);

		/**
		 * Maximum time a graceful stop (SIGTERM) waits for workers to finish in-flight
		 * requests before killing them.
		 */
		private Duration gracefulShutdown = Duration.ofSeconds(30);

		public Duration getBoot() {
			return this.boot;
		}

		public void setBoot(Duration boot) {
			this.boot = boot;
		}

		public Duration getHandoff() {
			return this.handoff;
		}

		public void setHandoff(Duration handoff) {
			this.handoff = handoff;
		}

		public Duration getGracefulShutdown() {
			return this.gracefulShutdown;
		}

		public void setGracefulShutdown(Duration gracefulShutdown) {
			this.gracefulShutdown = gracefulShutdown;
		}

	}

	/**
	 * Behaviour when every worker is busy.
	 */
	public static class Overload {

		/**
		 * What to do with new connections when every worker is busy and the master's queue
		 * is full: stop accepting (the kernel backlog queues), close them, or answer 503.
		 */
		private OverloadPolicy policy = OverloadPolicy.BACKPRESSURE;

		/**
		 * Maximum number of accepted connections the master holds while no worker can take
		 * one; 0 leaves waiting connections in the kernel backlog only.
		 */
		private int queueSize = 64;

		/**
		 * Maximum time a connection waits in the master's queue before it is turned away
		 * (closed with the close policy, otherwise answered 503).
		 */
		private Duration maxQueueWait = Duration.ofSeconds(30);

		/**
		 * Retry-After of a 503 answer, rounded down to whole seconds (at least 1).
		 */
		private Duration retryAfter = Duration.ofSeconds(5);

		/**
		 * Listen backlog of the master's socket: connections the kernel queues while no
		 * worker can take one.
		 */
		private int backlog = 511;

		public OverloadPolicy getPolicy() {
			return this.policy;
		}

		public void setPolicy(OverloadPolicy policy) {
			this.policy = policy;
		}

		public int getQueueSize() {
			return this.queueSize;
		}

		public void setQueueSize(int queueSize) {
			this.queueSize = queueSize;
		}

		public Duration getMaxQueueWait() {
			return this.maxQueueWait;
		}

		public void setMaxQueueWait(Duration maxQueueWait) {
			this.maxQueueWait = maxQueueWait;
		}

		public Duration getRetryAfter() {
			return this.retryAfter;
		}

		public void setRetryAfter(Duration retryAfter) {
			this.retryAfter = retryAfter;
		}

		public int getBacklog() {
			return this.backlog;
		}

		public void setBacklog(int backlog) {
			this.backlog = backlog;
		}

	}

}
