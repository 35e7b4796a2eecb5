package io.prefork;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything the engine needs to know, already validated. The Spring glue maps
 * {@code server.prefork.*}, {@code server.port} and {@code server.address} onto it; the
 * engine never sees Spring.
 *
 * @param address the address to listen on, {@code null} for every local address
 * @param port the port to listen on, {@code 0} for an ephemeral one
 * @param workers the number of worker processes (static pool) or at start (dynamic pool)
 * @param pool how the pool is sized
 * @param dispatch how connections get to workers
 * @param timeouts the timeouts
 * @param worker how each worker is started and sized
 * @param overload what happens when every worker is busy
 * @param status the master's own status listener
 * @param sessions how new connections find the worker that holds their session
 * @param management the separate management port, or {@code null} if the actuator is served
 * on the application's port (or not over HTTP)
 * @param runAs the user and group workers run as
 * @param pidFile the file the master writes its pid to, or {@code null} for none
 * @param sqlInit which workers initialise the application's database
 */
public record PreforkSettings(InetAddress address, int port, int workers, Pool pool, DispatchMode dispatch,
		Timeouts timeouts, Worker worker, Overload overload, Status status, Sessions sessions,
		Management management, RunAs runAs, Path pidFile, SqlInitialization sqlInit) {

	/**
	 * Return these settings with a separate management port.
	 * @param management the management port, or {@code null} for none
	 * @return the settings
	 */
	public PreforkSettings withManagement(Management management) {
		return new PreforkSettings(this.address, this.port, this.workers, this.pool, this.dispatch, this.timeouts,
				this.worker, this.overload, this.status, this.sessions, management, this.runAs, this.pidFile,
				this.sqlInit);
	}

	/**
	 * Who workers run as: a master started as root binds its ports, then starts every worker
	 * as this user and group.
	 *
	 * @param user the user's name or numeric id, or {@code null} to run workers as the
	 * master's own user
	 * @param group the group's name or numeric id, or {@code null} for the user's primary
	 * group
	 */
	public record RunAs(String user, String group) {

		/** Workers run as the master's own user. */
		public static final RunAs MASTER = new RunAs(null, null);

		/**
		 * Whether workers run as another user than the master.
		 * @return {@code true} if a user is set
		 */
		public boolean dropsPrivileges() {
			return this.user != null;
		}

	}

	/**
	 * The master's own JVM: settings used before the master starts, so not part of these
	 * settings.
	 *
	 * @param lean whether the master re-executes itself as a small JVM
	 * @param jvmOptions extra JVM options for the re-executed master
	 */
	public record MasterJvm(boolean lean, List<String> jvmOptions) {

		public MasterJvm {
			jvmOptions = List.copyOf(jvmOptions);
		}

	}

	/**
	 * The separate management port ({@code management.server.port}): the master listens on it
	 * too and passes its connections to the workers' management servers.
	 *
	 * @param address the address to listen on, {@code null} for every local address
	 * @param port the port, {@code 0} for an ephemeral one
	 */
	public record Management(InetAddress address, int port) {
	}

	/**
	 * Sticky sessions: a new connection goes to the worker whose route its session id
	 * carries.
	 *
	 * @param sticky whether the master routes new connections by session
	 * @param cookieName the session cookie's name
	 * @param pathParameter the session path parameter's name
	 * @param peekTimeout how long the master waits for a new connection's request head
	 */
	public record Sessions(boolean sticky, String cookieName, String pathParameter, Duration peekTimeout) {
	}

	/**
	 * The master's status listener.
	 *
	 * @param enabled whether the master answers status requests itself
	 * @param address where it listens
	 * @param port its port, {@code 0} for any free one
	 */
	public record Status(boolean enabled, InetAddress address, int port) {
	}

	/**
	 * Pool sizing.
	 *
	 * @param mode static or dynamic
	 * @param minSpare the idle workers a dynamic pool keeps at least
	 * @param maxSpare the idle workers a dynamic pool keeps at most
	 * @param maxWorkers the most workers there ever are (and the slots of the scoreboard)
	 * @param idleTimeout how long a worker above max-spare stays idle before it is retired
	 * @param maxStarting the most workers starting at the same time
	 */
	public record Pool(PoolMode mode, int minSpare, int maxSpare, int maxWorkers, Duration idleTimeout,
			int maxStarting) {
	}

	/**
	 * Timeouts.
	 *
	 * @param boot how long a worker may take to report ready
	 * @param handoff how long a worker may take to acknowledge a handed-over connection
	 * @param heartbeat how long a ready worker may stay silent
	 * @param request how long one request may run before its worker is stopped, or
	 * {@code null} for no limit
	 * @param gracefulShutdown how long a graceful stop waits for workers to finish
	 * @param upgrade how long a new master started by an upgrade may take until its first
	 * workers are ready
	 */
	public record Timeouts(Duration boot, Duration handoff, Duration heartbeat, Duration request,
			Duration gracefulShutdown, Duration upgrade) {
	}

	/**
	 * Worker processes.
	 *
	 * @param threads the request threads in each worker
	 * @param maxConnections the connections each worker holds at once
	 * @param jvmOptions extra JVM options for workers
	 * @param maxRequests requests after which a worker is recycled, {@code 0} for never
	 * @param maxRequestsJitter a random 0..this added to {@code maxRequests} per worker
	 * @param maxRssBytes resident memory above which a worker is recycled, {@code 0} for no
	 * limit
	 * @param maxAge age after which a worker is recycled, or {@code null} for none
	 * @param jvmDefaults whether workers get the JVM options for small, fast-starting
	 * processes (each only where no option of its kind is set already)
	 * @param maxHeapBytes the workers' maximum heap ({@code -Xmx}), {@code 0} for the JVM's
	 * default
	 * @param cds the class-data archive that workers start from
	 * @param container how worker heaps are sized in a container's memory limit
	 * @param warmup what a new worker requests from itself before it is ready (and the
	 * class-data training run too)
	 */
	public record Worker(int threads, int maxConnections, List<String> jvmOptions, long maxRequests,
			long maxRequestsJitter, long maxRssBytes, Duration maxAge, boolean jvmDefaults, long maxHeapBytes,
			Cds cds, Container container, Warmup warmup) {

		/**
		 * Return these settings with another maximum heap.
		 * @param bytes the maximum heap, {@code 0} for the JVM's default
		 * @return the settings
		 */
		public Worker withMaxHeapBytes(long bytes) {
			return new Worker(this.threads, this.maxConnections, this.jvmOptions, this.maxRequests,
					this.maxRequestsJitter, this.maxRssBytes, this.maxAge, this.jvmDefaults, bytes, this.cds,
					this.container, this.warmup);
		}

	}

	/**
	 * Sizing in a container: workers' maximum heaps from its memory limit.
	 *
	 * @param sizing whether workers get a share of the memory limit as their maximum heap
	 * @param memoryLimitBytes the limit to plan for, {@code 0} for the control group's own
	 * @param nonHeapBytes the memory each JVM is expected to use beyond its heap
	 */
	public record Container(boolean sizing, long memoryLimitBytes, long nonHeapBytes) {
	}

	/**
	 * A new worker's warm-up: GET requests it serves to itself before it is ready.
	 *
	 * @param paths the request targets, e.g. {@code /owners?lastName=}; empty for no warm-up
	 * @param requests how many requests in all, spread over the paths in turn
	 * @param concurrency how many connections send them in parallel
	 * @param timeout the most the warm-up may take; the worker is ready when it runs out
	 * @param untilCompiled whether requests go on past the planned ones until the JIT
	 * compilers are quiet
	 */
	public record Warmup(List<String> paths, int requests, int concurrency, Duration timeout, boolean untilCompiled) {

		/** No warm-up. */
		public static final Warmup NONE = new Warmup(List.of(), 0, 1, Duration.ZERO, false);

		/**
		 * Whether there is anything to warm up with.
		 * @return {@code true} if paths are set
		 */
		public boolean enabled() {
			return !this.paths.isEmpty() && this.requests > 0;
		}

	}

	/**
	 * Application class-data sharing (AppCDS) for workers.
	 *
	 * @param enabled whether the master trains an archive and starts workers from it
	 * @param directory where archives are kept
	 */
	public record Cds(boolean enabled, Path directory) {

		/**
		 * The system property that marks the JVM training an archive: it runs the
		 * application as an ordinary one (neither master nor worker) until its context is
		 * refreshed.
		 */
		public static final String TRAINING_PROPERTY = "prefork.cds.training";

	}

	/**
	 * Overload handling.
	 *
	 * @param policy what to do with new connections when the queue is full
	 * @param queueSize how many accepted connections the master holds while no worker can
	 * take one
	 * @param maxQueueWait how long a connection may wait in that queue before it is turned
	 * away
	 * @param retryAfter the {@code Retry-After} of a 503 answer
	 * @param backlog the listen backlog
	 */
	public record Overload(OverloadPolicy policy, int queueSize, Duration maxQueueWait, Duration retryAfter,
			int backlog) {
	}

}
