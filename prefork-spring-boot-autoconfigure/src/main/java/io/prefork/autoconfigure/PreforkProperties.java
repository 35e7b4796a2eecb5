package io.prefork.autoconfigure;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

import io.prefork.DispatchMode;
import io.prefork.InvalidPropertyException;
import io.prefork.OverloadPolicy;
import io.prefork.PoolMode;
import io.prefork.PreforkSettings;
import io.prefork.SqlInitialization;

/**
 * Configuration of the prefork server ({@code server.prefork.*}). Where it listens comes
 * from Spring Boot's own {@code server.port} and {@code server.address}.
 */
@ConfigurationProperties("server.prefork")
public class PreforkProperties {

	/** The most workers a pool may have. */
	private static final int MAX_WORKERS = 1024;

	/** The smallest worker heap accepted. */
	private static final long MIN_HEAP_MEGABYTES = 16;

	/** A user or group name as useradd accepts it (letters, digits, '.', '_', '-'), or an id. */
	private static final Pattern ACCOUNT = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}\\$?");

	/** A bound on request counts that keeps limit plus jitter far from overflow. */
	private static final long MAX_REQUESTS = 1_000_000_000_000L;

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

	/**
	 * Which workers initialise the application's database (spring.sql.init, Flyway,
	 * Liquibase, Hibernate's ddl-auto, Spring Session's schema): every-worker, or
	 * first-worker (the first worker alone, the others starting once it is ready).
	 */
	private SqlInitialization sqlInit = SqlInitialization.EVERY_WORKER;

	/**
	 * Whether a new connection goes to the worker that holds its HTTP session (found from
	 * the session cookie's route). On by default with pass-fd dispatch, the only mode where
	 * the master sees a connection before a worker does.
	 */
	private Boolean stickySessions;

	/**
	 * User that workers run as (a name or numeric id), for a master started as root: it
	 * binds its ports, then starts every worker as this user with the user's supplementary
	 * groups.
	 */
	private String user;

	/**
	 * Group that workers run as (a name or numeric id). Defaults to the primary group of
	 * server.prefork.user.
	 */
	private String group;

	/**
	 * File the master writes its pid to, so that a supervisor or script can find it: written
	 * at start, rewritten by the new master of an upgrade (SIGUSR2) once it serves, removed
	 * on exit while it still names this master.
	 */
	private Path pidFile;

	private final Pool pool = new Pool();

	private final Worker worker = new Worker();

	private final Timeouts timeouts = new Timeouts();

	private final Overload overload = new Overload();

	private final Status status = new Status();

	private final Container container = new Container();

	private final Master master = new Master();

	private final Actuator actuator = new Actuator();

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

	public SqlInitialization getSqlInit() {
		return this.sqlInit;
	}

	public void setSqlInit(SqlInitialization sqlInit) {
		this.sqlInit = sqlInit;
	}

	public DispatchMode getDispatch() {
		return this.dispatch;
	}

	public void setDispatch(DispatchMode dispatch) {
		this.dispatch = dispatch;
	}

	public Boolean getStickySessions() {
		return this.stickySessions;
	}

	public void setStickySessions(Boolean stickySessions) {
		this.stickySessions = stickySessions;
	}

	public String getUser() {
		return this.user;
	}

	public void setUser(String user) {
		this.user = user;
	}

	public String getGroup() {
		return this.group;
	}

	public void setGroup(String group) {
		this.group = group;
	}

	public Path getPidFile() {
		return this.pidFile;
	}

	public void setPidFile(Path pidFile) {
		this.pidFile = pidFile;
	}

	public Pool getPool() {
		return this.pool;
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

	public Status getStatus() {
		return this.status;
	}

	public Container getContainer() {
		return this.container;
	}

	public Master getMaster() {
		return this.master;
	}

	public Actuator getActuator() {
		return this.actuator;
	}

	/**
	 * Validate and map onto the engine's settings, with Tomcat's default session cookie.
	 * @param address the address to listen on ({@code server.address}), or {@code null}
	 * @param port the port to listen on ({@code server.port})
	 * @return the settings, without a separate management port (see
	 * {@link PreforkSettings#withManagement})
	 * @throws InvalidPropertyException naming the first property with an unusable value
	 */
	public PreforkSettings toSettings(InetAddress address, int port) {
		return toSettings(address, port, null);
	}

	/**
	 * Validate and map onto the engine's settings.
	 * @param address the address to listen on ({@code server.address}), or {@code null}
	 * @param port the port to listen on ({@code server.port})
	 * @param sessionCookieName the session cookie's name
	 * ({@code server.servlet.session.cookie.name}), or {@code null} for Tomcat's default
	 * @return the settings, without a separate management port (see
	 * {@link PreforkSettings#withManagement})
	 * @throws InvalidPropertyException naming the first property with an unusable value
	 */
	public PreforkSettings toSettings(InetAddress address, int port, String sessionCookieName) {
		int processors = Runtime.getRuntime().availableProcessors();
		check(port >= 0 && port <= 65535, "server.port", port, "must be between 0 and 65535");
		int workerCount = (this.workers != null) ? this.workers : Math.min(MAX_WORKERS, Math.max(2, processors));
		check(workerCount >= 1 && workerCount <= MAX_WORKERS, "server.prefork.workers", workerCount,
				"must be between 1 and " + MAX_WORKERS);
		check(this.dispatch != null, "server.prefork.dispatch", null,
				"must be one of pass-fd, accept-on-command, shared-accept");
		check(this.sqlInit != null, "server.prefork.sql-init", null, "must be every-worker or first-worker");
		check(!Boolean.TRUE.equals(this.stickySessions) || this.dispatch == DispatchMode.PASS_FD,
				"server.prefork.sticky-sessions", true, "needs server.prefork.dispatch=pass-fd (with "
						+ this.dispatch.value() + " the master never sees a request); share sessions between "
						+ "workers with Spring Session instead");
		PreforkSettings.Worker worker = this.worker.toSettings(this.user, this.container.toSettings());
		// Validated with the rest, although the master's JVM settings are used on their own.
		this.master.toSettings();
		return new PreforkSettings(address, port, workerCount, this.pool.toSettings(workerCount, processors),
				this.dispatch, this.timeouts.toSettings(), worker, this.overload.toSettings(), this.status.toSettings(),
				sessions(sessionCookieName), null, runAs(), pidFile(), this.sqlInit);
	}

	// Whether the file itself can be written is found out when the master writes it.
	private Path pidFile() {
		if (this.pidFile == null) {
			return null;
		}
		Path file = this.pidFile.toAbsolutePath().normalize();
		check(!this.pidFile.toString().isBlank() && file.getFileName() != null, "server.prefork.pid-file",
				this.pidFile, "must name a file");
		check(!Files.isDirectory(file), "server.prefork.pid-file", this.pidFile,
				"is a directory; name a file in it, e.g. " + file.resolve("app.pid"));
		check(Files.isDirectory(file.getParent()), "server.prefork.pid-file", this.pidFile,
				"must be in an existing directory, and " + file.getParent() + " is none");
		return file;
	}

	// Whether the user or group exists, and whether the master may switch to them, is
	// checked by the master against this machine's accounts before it starts any worker.
	private PreforkSettings.RunAs runAs() {
		checkAccount("server.prefork.user", this.user);
		checkAccount("server.prefork.group", this.group);
		check(this.group == null || this.user != null, "server.prefork.group", this.group,
				"needs server.prefork.user (workers would keep the master's user)");
		return (this.user != null) ? new PreforkSettings.RunAs(this.user, this.group) : PreforkSettings.RunAs.MASTER;
	}

	private static void checkAccount(String property, String value) {
		check(value == null || ACCOUNT.matcher(value).matches(), property, value,
				"must be a user or group name, or a numeric id");
	}

	/**
	 * Whether new connections go to the worker holding their session: as configured, else
	 * with pass-fd dispatch.
	 * @return {@code true} for sticky sessions
	 */
	public boolean usesStickySessions() {
		return (this.stickySessions != null) ? this.stickySessions : this.dispatch == DispatchMode.PASS_FD;
	}

	private PreforkSettings.Sessions sessions(String cookieName) {
		boolean sticky = usesStickySessions();
		Duration peek = this.timeouts.getSessionPeek();
		checkPositive("server.prefork.timeouts.session-peek", peek);
		check(cookieName == null || !cookieName.isBlank(), "server.servlet.session.cookie.name", cookieName,
				"must not be blank");
		// Tomcat names the path parameter after a configured cookie, else "jsessionid".
		return new PreforkSettings.Sessions(sticky, (cookieName != null) ? cookieName : "JSESSIONID",
				(cookieName != null) ? cookieName : "jsessionid", peek);
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
	 * The master process's own JVM.
	 */
	public static class Master {

		/** An option that takes the next token as its value, or ends the JVM options. */
		private static final Pattern NOT_ONE_TOKEN = Pattern.compile("-jar|-m|--module|-cp|-classpath|--class-path|-p|--module-path|--upgrade-module-path"
					+ "|--add-(opens|exports|reads|modules)|--patch-module|--limit-modules|--enable-native-access"
					+ "|--source");

		/**
		 * Whether the master re-executes itself (same pid) as a small JVM once its
		 * configuration is read: a small heap, the serial collector, the C1 compiler only, a
		 * small code cache and thread stacks, each only where no option of its kind is set.
		 */
		private boolean lean = true;

		/**
		 * Extra JVM options for the re-executed master, separated by spaces, each one token
		 * (e.g. "-Xmx128m --add-opens=java.base/java.lang=ALL-UNNAMED").
		 */
		private String jvmOptions = "";

		public boolean isLean() {
			return this.lean;
		}

		public void setLean(boolean lean) {
			this.lean = lean;
		}

		public String getJvmOptions() {
			return this.jvmOptions;
		}

		public void setJvmOptions(String jvmOptions) {
			this.jvmOptions = jvmOptions;
		}

		/**
		 * Validate and map onto the engine's settings.
		 * @return the settings of the master's JVM
		 * @throws InvalidPropertyException if an option is not a single JVM option
		 */
		public PreforkSettings.MasterJvm toSettings() {
			String trimmed = (this.jvmOptions != null) ? this.jvmOptions.trim() : "";
			List<String> options = trimmed.isEmpty() ? List.of() : Arrays.asList(trimmed.split("\\s+"));
			for (String option : options) {
				check(option.startsWith("-") && !NOT_ONE_TOKEN.matcher(option).matches(),
						"server.prefork.master.jvm-options", this.jvmOptions, "'" + option
								+ "' is not a JVM option of one token (write --name=value; no class path or -jar)");
			}
			return new PreforkSettings.MasterJvm(this.lean, options);
		}

	}

	/**
	 * Pool sizing.
	 */
	public static class Pool {

		/**
		 * Pool sizing: static (a fixed number of workers) or dynamic (spare workers between
		 * min-spare and max-spare).
		 */
		private PoolMode mode = PoolMode.STATIC;

		/**
		 * Minimum number of idle workers a dynamic pool keeps; below it, more are started.
		 */
		private int minSpare = 1;

		/**
		 * Maximum number of idle workers a dynamic pool keeps; above it, workers idle for
		 * longer than the idle timeout are retired.
		 */
		private int maxSpare = 3;

		/**
		 * Maximum number of workers. Defaults to the larger of 'workers' and twice the number
		 * of available processors.
		 */
		private Integer maxWorkers;

		/**
		 * Time an idle worker above max-spare lives before a dynamic pool retires it.
		 */
		private Duration idleTimeout = Duration.ofSeconds(30);

		/**
		 * Maximum number of workers starting at the same time, so starting JVMs do not
		 * starve serving ones of CPU. Defaults to the number of available processors, at
		 * least 2.
		 */
		private Integer maxStarting;

		public PoolMode getMode() {
			return this.mode;
		}

		public void setMode(PoolMode mode) {
			this.mode = mode;
		}

		public int getMinSpare() {
			return this.minSpare;
		}

		public void setMinSpare(int minSpare) {
			this.minSpare = minSpare;
		}

		public int getMaxSpare() {
			return this.maxSpare;
		}

		public void setMaxSpare(int maxSpare) {
			this.maxSpare = maxSpare;
		}

		public Integer getMaxWorkers() {
			return this.maxWorkers;
		}

		public void setMaxWorkers(Integer maxWorkers) {
			this.maxWorkers = maxWorkers;
		}

		public Duration getIdleTimeout() {
			return this.idleTimeout;
		}

		public void setIdleTimeout(Duration idleTimeout) {
			this.idleTimeout = idleTimeout;
		}

		public Integer getMaxStarting() {
			return this.maxStarting;
		}

		public void setMaxStarting(Integer maxStarting) {
			this.maxStarting = maxStarting;
		}

		PreforkSettings.Pool toSettings(int workers, int processors) {
			check(this.mode != null, "server.prefork.pool.mode", null, "must be static or dynamic");
			int max = (this.maxWorkers != null) ? this.maxWorkers
					: Math.min(MAX_WORKERS, Math.max(workers, 2 * processors));
			check(max >= workers && max <= MAX_WORKERS, "server.prefork.pool.max-workers", max,
					"must be at least server.prefork.workers (" + workers + ") and at most " + MAX_WORKERS);
			check(this.minSpare >= 0, "server.prefork.pool.min-spare", this.minSpare, "must be 0 or more");
			check(this.maxSpare >= Math.max(1, this.minSpare), "server.prefork.pool.max-spare", this.maxSpare,
					"must be at least 1 and at least server.prefork.pool.min-spare (" + this.minSpare + ")");
			checkPositive("server.prefork.pool.idle-timeout", this.idleTimeout);
			int starting = (this.maxStarting != null) ? this.maxStarting : Math.max(2, processors);
			check(starting >= 1, "server.prefork.pool.max-starting", starting, "must be at least 1");
			return new PreforkSettings.Pool(this.mode, this.minSpare, this.maxSpare, max, this.idleTimeout, starting);
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
		 * Maximum number of request-processing threads of each worker's management server
		 * (with a separate management.server.port), which serves probes and scrapes.
		 */
		private int managementThreads = 4;

		/**
		 * Extra JVM options for worker processes, separated by spaces (e.g. "-Xmx256m
		 * -XX:+UseSerialGC"). They come after the master's own JVM options, so they win.
		 */
		private String jvmOptions = "";

		/**
		 * Whether workers get JVM options for small, fast-starting processes (the serial
		 * garbage collector, 512 KB thread stacks, a 64 MB initial heap), each only where no
		 * option of its kind is set in jvm-options, on the master's command line or in
		 * JDK_JAVA_OPTIONS / JAVA_TOOL_OPTIONS.
		 */
		private boolean jvmDefaults = true;

		/**
		 * Maximum heap of each worker (-Xmx); unset for the JVM's default (a quarter of the
		 * memory), or what the master's command line or jvm-options say.
		 */
		private DataSize maxHeap;

		/**
		 * Number of requests after which a worker is recycled (replaced, then retired
		 * gracefully); 0 for never.
		 */
		private long maxRequests;

		/**
		 * Maximum random number of requests added to max-requests for each worker, so that
		 * workers are not all recycled at once.
		 */
		private long maxRequestsJitter;

		/**
		 * Resident memory (RSS) above which a worker is recycled; unset for no limit.
		 */
		private DataSize maxRss;

		/**
		 * Age after which a worker is recycled; unset for no limit.
		 */
		private Duration maxAge;

		private final Cds cds = new Cds();

		private final Warmup warmup = new Warmup();

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

		public int getManagementThreads() {
			return this.managementThreads;
		}

		public void setManagementThreads(int managementThreads) {
			this.managementThreads = managementThreads;
		}

		public String getJvmOptions() {
			return this.jvmOptions;
		}

		public void setJvmOptions(String jvmOptions) {
			this.jvmOptions = jvmOptions;
		}

		public boolean isJvmDefaults() {
			return this.jvmDefaults;
		}

		public void setJvmDefaults(boolean jvmDefaults) {
			this.jvmDefaults = jvmDefaults;
		}

		public DataSize getMaxHeap() {
			return this.maxHeap;
		}

		public void setMaxHeap(DataSize maxHeap) {
			this.maxHeap = maxHeap;
		}

		public Cds getCds() {
			return this.cds;
		}

		public Warmup getWarmup() {
			return this.warmup;
		}

		public long getMaxRequests() {
			return this.maxRequests;
		}

		public void setMaxRequests(long maxRequests) {
			this.maxRequests = maxRequests;
		}

		public long getMaxRequestsJitter() {
			return this.maxRequestsJitter;
		}

		public void setMaxRequestsJitter(long maxRequestsJitter) {
			this.maxRequestsJitter = maxRequestsJitter;
		}

		public DataSize getMaxRss() {
			return this.maxRss;
		}

		public void setMaxRss(DataSize maxRss) {
			this.maxRss = maxRss;
		}

		public Duration getMaxAge() {
			return this.maxAge;
		}

		public void setMaxAge(Duration maxAge) {
			this.maxAge = maxAge;
		}

		PreforkSettings.Worker toSettings(String user, PreforkSettings.Container container) {
			check(this.threads >= 1, "server.prefork.worker.threads", this.threads, "must be at least 1");
			check(this.maxConnections >= 1, "server.prefork.worker.max-connections", this.maxConnections,
					"must be at least 1");
			check(this.managementThreads >= 1, "server.prefork.worker.management-threads", this.managementThreads,
					"must be at least 1");
			check(this.maxRequests >= 0 && this.maxRequests <= MAX_REQUESTS, "server.prefork.worker.max-requests",
					this.maxRequests, "must be between 0 and " + MAX_REQUESTS);
			check(this.maxRequestsJitter >= 0 && this.maxRequestsJitter <= MAX_REQUESTS,
					"server.prefork.worker.max-requests-jitter", this.maxRequestsJitter,
					"must be between 0 and " + MAX_REQUESTS);
			check(this.maxRss == null || this.maxRss.toBytes() > 0, "server.prefork.worker.max-rss", this.maxRss,
					"must be a positive size");
			check(this.maxAge == null || (!this.maxAge.isNegative() && !this.maxAge.isZero()),
					"server.prefork.worker.max-age", this.maxAge, "must be a positive duration");
			check(this.maxHeap == null || this.maxHeap.toMegabytes() >= MIN_HEAP_MEGABYTES,
					"server.prefork.worker.max-heap", this.maxHeap,
					"must be at least " + MIN_HEAP_MEGABYTES + "MB (a JVM running a web application needs more)");
			return new PreforkSettings.Worker(this.threads, this.maxConnections, jvmOptionList(), this.maxRequests,
					this.maxRequestsJitter, (this.maxRss != null) ? this.maxRss.toBytes() : 0, this.maxAge,
					this.jvmDefaults, (this.maxHeap != null) ? this.maxHeap.toBytes() : 0, this.cds.toSettings(user),
					container, this.warmup.toSettings());
		}

		List<String> jvmOptionList() {
			String trimmed = (this.jvmOptions != null) ? this.jvmOptions.trim() : "";
			return trimmed.isEmpty() ? List.of() : Arrays.asList(trimmed.split("\\s+"));
		}

	}

	/**
	 * Sizing in a container (a cgroup with a memory limit).
	 */
	public static class Container {

		/**
		 * Whether each worker's maximum heap is its share of the container's memory limit, so
		 * that the master and every worker fit in it (each JVM would otherwise take a quarter
		 * of the limit for itself); an explicit worker max-heap wins.
		 */
		private boolean sizing = true;

		/**
		 * Memory limit to size the pool for; unset for the limit of the control group
		 * (cgroup v2 or v1) the master runs in.
		 */
		private DataSize memoryLimit;

		/**
		 * Memory each JVM uses beyond its maximum heap (metaspace, code cache, thread stacks,
		 * the JVM itself), set aside for the master and every worker when sizing worker heaps.
		 * The default was measured on the sample application.
		 */
		private DataSize nonHeap = DataSize.ofMegabytes(140);

		public boolean isSizing() {
			return this.sizing;
		}

		public void setSizing(boolean sizing) {
			this.sizing = sizing;
		}

		public DataSize getMemoryLimit() {
			return this.memoryLimit;
		}

		public void setMemoryLimit(DataSize memoryLimit) {
			this.memoryLimit = memoryLimit;
		}

		public DataSize getNonHeap() {
			return this.nonHeap;
		}

		public void setNonHeap(DataSize nonHeap) {
			this.nonHeap = nonHeap;
		}

		PreforkSettings.Container toSettings() {
			check(this.memoryLimit == null || this.memoryLimit.toMegabytes() >= 64,
					"server.prefork.container.memory-limit", this.memoryLimit, "must be at least 64MB");
			check(this.nonHeap != null && this.nonHeap.toMegabytes() >= 16, "server.prefork.container.non-heap",
					this.nonHeap, "must be at least 16MB (a JVM uses more than that beyond its heap)");
			return new PreforkSettings.Container(this.sizing,
					(this.memoryLimit != null) ? this.memoryLimit.toBytes() : 0, this.nonHeap.toBytes());
		}

	}

	/**
	 * A new worker's warm-up: requests it serves to itself before it is ready.
	 */
	public static class Warmup {

		/** The most warm-up requests accepted. */
		private static final int MAX_REQUESTS = 1_000_000;

		/** The most warm-up connections accepted. */
		private static final int MAX_CONCURRENCY = 1024;

		/**
		 * Request targets (path and query) that a new worker GETs from itself, through its
		 * own Tomcat, before it is ready, so that clients never meet a cold JVM, e.g.
		 * "/,/owners?lastName="; empty for no warm-up.
		 */
		private List<String> paths = new ArrayList<>();

		/**
		 * Number of warm-up requests in all, spread over the paths in turn.
		 */
		private int requests = 200;

		/**
		 * Number of connections sending the warm-up requests in parallel.
		 */
		private int concurrency = 4;

		/**
		 * Maximum time a warm-up may take; the worker is ready when it runs out. It follows
		 * server.prefork.timeouts.boot, which ends when the warm-up begins.
		 */
		private Duration timeout = Duration.ofSeconds(30);

		/**
		 * Whether the warm-up goes on past its requests, with the same paths, until the JIT
		 * compilers are quiet (their threads using less than 10% of the worker's CPU for two
		 * steps of a second in a row), within the timeout: a new JVM still compiles the hot
		 * code for a while after its first requests.
		 */
		private boolean untilCompiled = true;

		public List<String> getPaths() {
			return this.paths;
		}

		public void setPaths(List<String> paths) {
			this.paths = paths;
		}

		public int getRequests() {
			return this.requests;
		}

		public void setRequests(int requests) {
			this.requests = requests;
		}

		public int getConcurrency() {
			return this.concurrency;
		}

		public void setConcurrency(int concurrency) {
			this.concurrency = concurrency;
		}

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

		public boolean isUntilCompiled() {
			return this.untilCompiled;
		}

		public void setUntilCompiled(boolean untilCompiled) {
			this.untilCompiled = untilCompiled;
		}

		/**
		 * Validate and map onto the engine's settings.
		 * @return the warm-up, {@link PreforkSettings.Warmup#NONE} without paths
		 * @throws InvalidPropertyException naming the first property with an unusable value
		 */
		public PreforkSettings.Warmup toSettings() {
			if (this.paths == null || this.paths.isEmpty()) {
				return PreforkSettings.Warmup.NONE;
			}
			for (String path : this.paths) {
				check(isRequestTarget(path), "server.prefork.worker.warmup.paths", path,
						"must be request targets starting with '/', without spaces or control characters");
			}
			check(this.requests >= 1 && this.requests <= MAX_REQUESTS, "server.prefork.worker.warmup.requests",
					this.requests, "must be between 1 and " + MAX_REQUESTS);
			check(this.concurrency >= 1 && this.concurrency <= MAX_CONCURRENCY,
					"server.prefork.worker.warmup.concurrency", this.concurrency,
					"must be between 1 and " + MAX_CONCURRENCY);
			checkPositive("server.prefork.worker.warmup.timeout", this.timeout);
			return new PreforkSettings.Warmup(List.copyOf(this.paths), this.requests, this.concurrency, this.timeout,
					this.untilCompiled);
		}

		private static boolean isRequestTarget(String path) {
			return path != null && path.startsWith("/") && path.chars().allMatch((c) -> c > ' ' && c < 0x7f);
		}

	}

	/**
	 * Application class-data sharing (AppCDS) for workers.
	 */
	public static class Cds {

		/**
		 * Whether the master trains a class-data archive of the application (once per JVM
		 * build and class path, in the background) and starts workers from it, which
		 * roughly halves their start time. Needs the application on a plain class path
		 * (an extracted jar or exploded classes), not a Spring Boot executable jar.
		 */
		private boolean enabled = true;

		/**
		 * Directory of the class-data archives; created with mode 0700 if missing.
		 * Defaults to $XDG_CACHE_HOME/prefork/cds, or ~/.cache/prefork/cds, or with
		 * server.prefork.user to /var/cache/prefork/{user}, owned by that user.
		 */
		private Path directory;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public Path getDirectory() {
			return this.directory;
		}

		public void setDirectory(Path directory) {
			this.directory = directory;
		}

		PreforkSettings.Cds toSettings(String user) {
			// Workers running as another user must reach the archive, which root's home
			// does not let them do.
			Path resolved = (this.directory != null) ? this.directory
					: (user != null) ? Path.of("/var/cache/prefork", user) : defaultDirectory();
			return new PreforkSettings.Cds(this.enabled, resolved.toAbsolutePath().normalize());
		}

		private static Path defaultDirectory() {
			String cacheHome = System.getenv("XDG_CACHE_HOME");
			Path cache = (cacheHome != null && !cacheHome.isBlank()) ? Path.of(cacheHome)
					: Path.of(System.getProperty("user.home"), ".cache");
			return cache.resolve("prefork").resolve("cds");
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
		 * Maximum time a ready worker may stay silent (workers report every second) before
		 * it is killed: a stuck JVM or a very long GC pause.
		 */
		private Duration heartbeat = Duration.ofSeconds(30);

		/**
		 * Maximum time one request may run; a longer one is answered 504 if its response has
		 * not started, and its worker is stopped (threads cannot be killed, processes can).
		 * Unset for no limit.
		 */
		private Duration request;

		/**
		 * Maximum time a graceful stop (SIGTERM) waits for workers to finish in-flight
		 * requests before killing them. Defaults to
		 * spring.lifecycle.timeout-per-shutdown-phase (30s by default) plus 10s for the rest
		 * of the application to close.
		 */
		private Duration gracefulShutdown = Duration.ofSeconds(40);

		/**
		 * Maximum time the master waits for a new connection's request head to find its
		 * session (sticky sessions); a connection that sends nothing for this long goes to
		 * any worker.
		 */
		private Duration sessionPeek = Duration.ofMillis(100);

		/**
		 * Maximum time a new master started by an upgrade (SIGUSR2) may take until its
		 * first workers are ready; a slower one is stopped and the old master keeps serving.
		 */
		private Duration upgrade = Duration.ofMinutes(2);

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

		public Duration getHeartbeat() {
			return this.heartbeat;
		}

		public void setHeartbeat(Duration heartbeat) {
			this.heartbeat = heartbeat;
		}

		public Duration getRequest() {
			return this.request;
		}

		public void setRequest(Duration request) {
			this.request = request;
		}

		PreforkSettings.Timeouts toSettings() {
			checkPositive("server.prefork.timeouts.boot", this.boot);
			checkPositive("server.prefork.timeouts.handoff", this.handoff);
			check(this.heartbeat != null && this.heartbeat.toMillis() >= 2000, "server.prefork.timeouts.heartbeat",
					this.heartbeat, "must be at least 2s (workers report every second)");
			check(this.request == null || (!this.request.isNegative() && !this.request.isZero()),
					"server.prefork.timeouts.request", this.request, "must be a positive duration");
			checkPositive("server.prefork.timeouts.graceful-shutdown", this.gracefulShutdown);
			checkPositive("server.prefork.timeouts.upgrade", this.upgrade);
			return new PreforkSettings.Timeouts(this.boot, this.handoff, this.heartbeat, this.request,
					this.gracefulShutdown, this.upgrade);
		}

		public Duration getUpgrade() {
			return this.upgrade;
		}

		public void setUpgrade(Duration upgrade) {
			this.upgrade = upgrade;
		}

		public Duration getSessionPeek() {
			return this.sessionPeek;
		}

		public void setSessionPeek(Duration sessionPeek) {
			this.sessionPeek = sessionPeek;
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

		PreforkSettings.Overload toSettings() {
			check(this.policy != null, "server.prefork.overload.policy", null,
					"must be one of backpressure, close, reject");
			check(this.queueSize >= 0, "server.prefork.overload.queue-size", this.queueSize, "must be 0 or more");
			checkPositive("server.prefork.overload.max-queue-wait", this.maxQueueWait);
			checkPositive("server.prefork.overload.retry-after", this.retryAfter);
			check(this.backlog >= 1, "server.prefork.overload.backlog", this.backlog, "must be at least 1");
			return new PreforkSettings.Overload(this.policy, this.queueSize, this.maxQueueWait, this.retryAfter,
					this.backlog);
		}

		public void setBacklog(int backlog) {
			this.backlog = backlog;
		}

	}

	/**
	 * The master's own status listener.
	 */
	public static class Status {

		/**
		 * Whether the master answers status requests itself (the scoreboard as JSON), even
		 * when every worker is stuck.
		 */
		private boolean enabled;

		/**
		 * Address of the master's status listener.
		 */
		private InetAddress address = InetAddress.getLoopbackAddress();

		/**
		 * Port of the master's status listener; 0 picks a free one (logged at startup).
		 */
		private int port;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public InetAddress getAddress() {
			return this.address;
		}

		public void setAddress(InetAddress address) {
			this.address = address;
		}

		public int getPort() {
			return this.port;
		}

		public void setPort(int port) {
			this.port = port;
		}

		PreforkSettings.Status toSettings() {
			check(this.port >= 0 && this.port <= 65535, "server.prefork.status.port", this.port,
					"must be between 0 and 65535");
			check(this.address != null, "server.prefork.status.address", null, "must be an IP address");
			return new PreforkSettings.Status(this.enabled, this.address, this.port);
		}

	}

	/**
	 * Actuator endpoints in a pool of workers.
	 */
	public static class Actuator {

		/**
		 * Ids of endpoints whose write and delete operations apply to the worker that
		 * receives them only; those of every other endpoint apply to every worker (the
		 * prefork endpoint's always go to the master).
		 */
		private Set<String> perWorkerEndpoints = new LinkedHashSet<>(List.of("shutdown"));

		public Set<String> getPerWorkerEndpoints() {
			return this.perWorkerEndpoints;
		}

		public void setPerWorkerEndpoints(Set<String> perWorkerEndpoints) {
			this.perWorkerEndpoints = perWorkerEndpoints;
		}

	}

}
