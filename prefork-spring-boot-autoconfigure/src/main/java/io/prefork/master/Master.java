package io.prefork.master;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.prefork.DispatchMode;
import io.prefork.PoolMode;
import io.prefork.PreforkException;
import io.prefork.PreforkSettings;
import io.prefork.SqlInitialization;
import io.prefork.pool.ExitCause;
import io.prefork.pool.ExitStatus;
import io.prefork.pool.PoolSizing;
import io.prefork.pool.RecyclePolicy;
import io.prefork.pool.SqlInitOrder;
import io.prefork.pool.WorkerState;
import io.prefork.posix.ControlSocket;
import io.prefork.posix.ListeningSocket;
import io.prefork.posix.MessageBatch;
import io.prefork.posix.Poller;
import io.prefork.posix.PosixException;
import io.prefork.posix.Processes;
import io.prefork.posix.WakeupPipe;
import io.prefork.protocol.Message;
import io.prefork.protocol.MessageCodec;
import io.prefork.protocol.ProtocolException;
import io.prefork.protocol.WorkerIdentity;
import io.prefork.scoreboard.PoolCounter;
import io.prefork.scoreboard.PoolCounters;
import io.prefork.scoreboard.Scoreboard;

/**
 * The master process: owns the listening socket and the pool. One thread runs the loop and
 * owns all pool state; it blocks only in {@link Poller#await(int)}, then runs the same steps
 * every turn: reap (at most every 10 ms), commands, messages, deadlines, pool, dispatch.
 */
public final class Master {

	private static final Log logger = LogFactory.getLog(Master.class);

	/** The longest the loop sleeps, so a missed wake-up costs at most this much. */
	private static final long MAX_POLL_NANOS = TimeUnit.SECONDS.toNanos(1);

	/**
	 * How long after its warm-up timeout a warming worker may take to report ready: it stops
	 * warming up itself when the timeout runs out, so only a hung one needs this.
	 */
	private static final long WARMUP_GRACE_NANOS = TimeUnit.SECONDS.toNanos(10);

	/** How long a worker whose channel closed may take to exit before it is killed. */
	private static final long EXIT_AFTER_EOF_NANOS = TimeUnit.SECONDS.toNanos(10);

	/** How long a worker stopped for a request timeout may finish its other requests. */
	private static final long REQUEST_TIMEOUT_GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);

	/** How often worker memory is sampled for max-rss. */
	private static final long MEMORY_SAMPLE_NANOS = TimeUnit.SECONDS.toNanos(1);

	/** How long a quick stop (SIGINT) waits for workers. */
	private static final Duration QUICK_STOP = Duration.ofSeconds(5);

	private static final Map<ExitCause, PoolCounter> EXIT_COUNTERS = Map.of(ExitCause.BOOT_FAILURE,
			PoolCounter.EXITED_BOOT_FAILURE, ExitCause.CRASH, PoolCounter.EXITED_CRASH, ExitCause.TIMEOUT,
			PoolCounter.EXITED_TIMEOUT, ExitCause.REQUEST_TIMEOUT, PoolCounter.EXITED_REQUEST_TIMEOUT,
			ExitCause.RECYCLED, PoolCounter.EXITED_RECYCLED, ExitCause.RSS, PoolCounter.EXITED_RSS,
			ExitCause.SCALED_DOWN, PoolCounter.EXITED_SCALED_DOWN, ExitCause.SHUTDOWN, PoolCounter.EXITED_SHUTDOWN,
			ExitCause.KILLED, PoolCounter.EXITED_KILLED, ExitCause.OUT_OF_MEMORY, PoolCounter.EXITED_OUT_OF_MEMORY);

	private final PreforkSettings settings;

	private final WorkerLauncher launcher;

	private final WakeupPipe wakeup;

	private final CommandQueue commands;

	private LogReopening logReopening = new LogReopening(() -> 0);

	private final WorkerTable workers;

	private final int[] generations;

	private final Poller poller = new Poller(16);

	/**
	 * What a worker sent since the last turn, read by one call per worker; 32 messages cover
	 * a full hand-over window's acknowledgements and closed connections. Workers send
	 * fixed-size frames, so a longer packet arrives cut short and fails decoding.
	 */
	private final MessageBatch messages = new MessageBatch(32, 256);

	/** One message of {@link #messages}, to decode. */
	private final byte[] messageBuffer = new byte[256];

	private final HandedInListeners handedIn = HandedInListeners.ofThisProcess();

	private final ServiceManager serviceManager = ServiceManager.of(System.getenv());

	private final PidFile pidFile;

	private final Readiness readiness;

	private final Upgrade upgrade;

	private Dispatcher dispatcher;

	private ManagementDispatch management;

	private Scoreboard scoreboard;

	/** Scoreboard rows in use: a slot's current worker, its successor, or a retiring one. */
	private final boolean[] rowsInUse;

	private int port;

	/** The size of a static pool (SIGTTIN/SIGTTOU change it). */
	private int target;

	private boolean initialSizeReached;

	private long nextMemorySample;

	private final ReapPacer reaping = new ReapPacer(System.nanoTime());

	private final RespawnPacer respawns = new RespawnPacer();

	private final PoolCallRelay poolCalls;

	private boolean stopping;

	/** The new master of an upgrade this one hands over to, or {@code -1}. */
	private int successor = -1;

	private int exitCode;

	Master(PreforkSettings settings, WorkerLauncher launcher) throws PosixException {
		this.settings = settings;
		this.launcher = launcher;
		this.wakeup = new WakeupPipe();
		this.commands = new CommandQueue(this.wakeup);
		int capacity = settings.pool().maxWorkers();
		this.workers = new WorkerTable(capacity, settings.worker().maxConnections(),
				Dispatcher.handoffWindow(settings.dispatch()));
		this.generations = new int[capacity];
		this.rowsInUse = new boolean[2 * capacity];
		this.target = settings.workers();
		this.pidFile = new PidFile(settings.pidFile());
		this.readiness = new Readiness(this.serviceManager, this.pidFile, UpgradeHandover.ofThisProcess());
		this.upgrade = new Upgrade(settings.timeouts().upgrade());
		this.poolCalls = new PoolCallRelay(this.workers);
	}

	/**
	 * Create a master that starts workers with this JVM's own command line.
	 * @param settings the settings
	 * @return the master
	 */
	public static Master forThisProcess(PreforkSettings settings) {
		try {
			return new Master(settings, WorkerLauncher.ofThisProcess(settings));
		}
		catch (PosixException ex) {
			throw new PreforkException("Cannot create the master's wake-up pipe: " + ex.getMessage(),
					"Check the process's file descriptor limit (ulimit -n).", ex);
		}
	}

	/**
	 * Set how SIGUSR1 reopens the master's own log files (workers reopen theirs).
	 * @param reopener reopens them and returns how many it reopened
	 * @return this master
	 */
	public Master reopeningLogsWith(IntSupplier reopener) {
		this.logReopening = new LogReopening(reopener);
		return this;
	}

	/**
	 * Run until stopped.
	 * @return the process exit code
	 * @throws PreforkException if the server cannot start or no worker can start
	 */
	public int run() {
		ListeningSocket listener = listen();
		this.port = listener.port();
		checkOpenFilesLimit();
		this.scoreboard = createScoreboard(listener);
		this.scoreboard.pool().started(System.currentTimeMillis(), this.settings.dispatch().value());
		this.dispatcher = Dispatcher.create(this.settings, this.workers, new Failures(), listener,
				this.scoreboard.pool(), this.scoreboard::connections);
		Runtime.getRuntime().addShutdownHook(new Thread(this::killSurvivors, "prefork-master-cleanup"));
		MasterSignals.install(this.commands);
		StatusListener status = null;
		try {
			this.readiness.starting();
			status = startStatusListener();
			this.management = ManagementDispatch.open(this.settings, this.workers, new Failures(),
					this.handedIn.management(this.settings.management() != null));
			logger.info("Prefork master pid " + ProcessHandle.current().pid() + " listening on " + host() + ":"
					+ this.port + this.management.describe() + " with " + this.target + " workers (pool "
					+ this.settings.pool().mode().name().toLowerCase(Locale.ROOT) + ", dispatch "
					+ this.settings.dispatch().value() + ")");
			logger.debug("Worker command line: " + this.launcher.argv());
			// The first workers start now, not after the loop's first poll has waited out its
			// timeout (up to a second) for events that cannot come before there are workers.
			maintainPool(System.nanoTime());
			return loop();
		}
		finally {
			this.dispatcher.close();
			if (this.management != null) {
				this.management.stop();
			}
			this.launcher.close();
			killSurvivors();
			this.pidFile.removeIfOwn();
			if (status != null) {
				status.close();
			}
			this.scoreboard.close();
			this.wakeup.close();
		}
	}

	// In pass-fd the master holds a descriptor per open connection of every worker; short of
	// them it would pause accepting (EMFILE) long before the workers are full.
	private void checkOpenFilesLimit() {
		if (this.settings.dispatch() != DispatchMode.PASS_FD) {
			return;
		}
		long held = (long) this.settings.pool().maxWorkers() * this.settings.worker().maxConnections();
		long wanted = held + 4L * this.settings.pool().maxWorkers() + 256;
		long limit = Processes.raiseOpenFilesLimit(wanted);
		if (limit >= 0 && limit < wanted) {
			logger.warn("The master may hold up to " + held + " connections (server.prefork.pool.max-workers × "
					+ "server.prefork.worker.max-connections) but may open only " + limit + " files (ulimit -n); "
					+ "beyond that it pauses accepting. Raise the limit (e.g. LimitNOFILE= in a systemd unit) or "
					+ "lower server.prefork.worker.max-connections.");
		}
	}

	private Scoreboard createScoreboard(ListeningSocket listener) {
		try {
			// In pass-fd the master holds a copy of each connection it hands a worker, and the
			// worker records what it does with each in its row's table.
			int connectionsPerRow = (this.settings.dispatch() == DispatchMode.PASS_FD)
					? this.settings.worker().maxConnections() : 0;
			return handOverToWorkers(Scoreboard.create(this.rowsInUse.length, connectionsPerRow));
		}
		catch (IOException ex) {
			listener.close();
			throw new PreforkException("Cannot create the scoreboard: " + ex.getMessage(),
					"Make sure the temporary directory (java.io.tmpdir) is writable.", ex);
		}
	}

	// Workers write their rows, so the scoreboard's private directory and file belong to
	// the user they run as; modes 0700 and 0600 keep everyone else out.
	private Scoreboard handOverToWorkers(Scoreboard scoreboard) throws IOException {
		try {
			this.launcher.credentials().handOver(scoreboard.file().getParent());
			this.launcher.credentials().handOver(scoreboard.file());
			return scoreboard;
		}
		catch (IOException ex) {
			scoreboard.close();
			throw ex;
		}
	}

	private StatusListener startStatusListener() {
		PreforkSettings.Status status = this.settings.status();
		if (!status.enabled()) {
			return null;
		}
		try {
			return StatusListener.start(new InetSocketAddress(status.address(), status.port()), this.scoreboard);
		}
		catch (IOException ex) {
			throw new PreforkException("The master's status listener cannot listen on "
					+ status.address().getHostAddress() + ":" + status.port() + ": " + ex.getMessage(),
					"Choose another 'server.prefork.status.port', or disable it with 'server.prefork.status.enabled=false'.",
					ex);
		}
	}

	private ListeningSocket listen() {
		ListeningSocket handedIn = this.handedIn.application();
		if (handedIn != null) {
			return handedIn;
		}
		try {
			return ListeningSocket.open(this.settings.address(), this.settings.port(),
					this.settings.overload().backlog());
		}
		catch (PosixException ex) {
			throw new PreforkException("The prefork master failed to listen on " + host() + ":" + this.settings.port()
					+ ": " + ex.getMessage(),
					"Identify and stop the process that is listening on that port, or configure this application to "
							+ "listen on another one with 'server.port' (and 'server.address').",
					ex);
		}
	}

	private int loop() {
		while (true) {
			PollSet polled = waitForEvents();
			long now = System.nanoTime();
			if (this.poller.isReady(polled.wakeup())) {
				this.wakeup.drain();
			}
			if (this.reaping.due(now)) {
				reapWorkers(now);
			}
			handleCommands(now);
			readMessages(polled, now);
			superviseUpgrade(polled, now);
			this.dispatcher.service(this.poller, polled.dispatcher(), now);
			enforceDeadlines(now);
			// Also while stopping: probes reach the draining workers.
			this.management.dispatch(now, this.poller.isReady(polled.management()));
			if (this.stopping) {
				if (this.workers.isEmpty() && !this.upgrade.underWay()) {
					logger.info("All workers stopped; prefork master exiting with " + this.exitCode
							+ " (connections turned away: " + this.dispatcher.describeRejections() + ")");
					return this.exitCode;
				}
				continue;
			}
			if (this.successor < 0) {
				maintainPool(now);
			}
			this.dispatcher.dispatch(now, this.poller.isReady(polled.listener()));
			publish();
		}
	}

	private PollSet waitForEvents() {
		long now = System.nanoTime();
		this.poller.clear();
		int wakeupIndex = this.poller.add(this.wakeup.readFd());
		boolean mayAccept = this.readiness.mayAccept();
		int listenerIndex = (mayAccept && this.dispatcher.wantsListener(now))
				? this.poller.add(this.dispatcher.listenerFd()) : -1;
		int[] dispatcherIndices = this.dispatcher.register(this.poller);
		int managementIndex = mayAccept ? this.management.register(this.poller, now) : -1;
		int upgradeIndex = this.upgrade.register(this.poller);
		Map<WorkerProcess, Integer> channels = new HashMap<>();
		for (WorkerProcess worker : this.workers.all()) {
			if (worker.channel() != null) {
				channels.put(worker, this.poller.add(worker.channel().fd()));
			}
		}
		try {
			this.poller.await(pollTimeoutMillis(now));
		}
		catch (PosixException ex) {
			throw new PreforkException("The master loop failed: " + ex.getMessage(), "Report this as a bug.", ex);
		}
		return new PollSet(wakeupIndex, listenerIndex, channels, dispatcherIndices, managementIndex, upgradeIndex);
	}

	private int pollTimeoutMillis(long now) {
		long next = now + MAX_POLL_NANOS;
		for (WorkerProcess worker : this.workers.all()) {
			if (worker.state().isBooting() || worker.state() == WorkerState.STOPPING
					|| worker.awaitsAcknowledgement()) {
				next = Dispatcher.earlier(next, worker.deadline());
			}
		}
		if (!this.stopping) {
			next = this.respawns.nextDeadline(next, now);
		}
		next = this.dispatcher.nextDeadline(next);
		next = this.management.nextDeadline(next);
		next = this.upgrade.nextDeadline(next);
		next = this.poolCalls.nextDeadline(next);
		next = this.reaping.nextDeadline(next);
		return (int) Math.max(0, TimeUnit.NANOSECONDS.toMillis(next - now + 999_999));
	}

	private void reapWorkers(long now) {
		Processes.Reaped reaped;
		while ((reaped = Processes.reapOne()) != null) {
			WorkerProcess worker = this.workers.remove(reaped.pid());
			ExitStatus status = ExitStatus.fromWaitStatus(reaped.status());
			if (worker == null) {
				if (this.launcher.reaped(reaped.pid(), reaped.status())
						|| this.upgrade.reaped(reaped.pid(), reaped.status())) {
					continue;
				}
				String unknown = "Reaped unknown child pid " + reaped.pid() + ": " + status.describe();
				if (ProcessHandle.current().pid() == 1) {
					// As PID 1 of a container every orphan in it becomes our child: routine.
					logger.debug(unknown);
				}
				else {
					logger.warn(unknown);
				}
				continue;
			}
			workerExited(worker, status, now);
		}
	}

	private void workerExited(WorkerProcess worker, ExitStatus status, long now) {
		this.dispatcher.lost(worker, now);
		this.poolCalls.lost(worker);
		worker.closeChannel();
		worker.moveTo(WorkerState.DEAD);
		ExitCause cause = ExitCause.classify(worker.stopCause(), worker.everReady(), status);
		releaseRow(worker, cause);
		boolean startFailed = !worker.everReady() && !this.stopping
				&& (!worker.isStopRequested() || cause == ExitCause.TIMEOUT);
		Duration delay = startFailed ? this.respawns.startFailed(cause, now) : Duration.ZERO;
		String summary = worker + " " + status.describe() + " after " + formatSeconds(now - worker.spawnedAt) + ", "
				+ worker.requestsServed() + " requests and " + worker.connectionsHandedOver() + " connections ("
				+ cause.tag() + ")";
		String replacing = delay.isZero() ? "replacing it" : "replacing it in " + delay.toSeconds() + " s";
		if (this.stopping || worker.isStopRequested()) {
			logger.info(summary);
		}
		else if (cause == ExitCause.KILLED) {
			logger.warn(summary + ", by a signal the master did not send" + (worker.everReady() ? "" : " while starting")
					+ "; " + replacing);
		}
		else if (cause == ExitCause.OUT_OF_MEMORY) {
			logger.warn(summary + ": its heap was too small for what it held; replacing it (a leak, or a heap to "
					+ "raise with server.prefork.worker.max-heap)");
		}
		else if (worker.everReady()) {
			logger.warn(summary + ", unexpectedly; replacing it");
		}
		else {
			logger.error(summary + " while starting (see its output above); " + replacing);
		}
	}

	private void handleCommands(long now) {
		MasterCommand command;
		while ((command = this.commands.poll()) != null) {
			switch (command) {
				case STOP_GRACEFULLY -> stop(command.signal, this.settings.timeouts().gracefulShutdown(), now);
				case STOP_QUICKLY -> stop(command.signal, QUICK_STOP, now);
				case RELOAD -> reload(now);
				case ADD_WORKER, REMOVE_WORKER -> resizeBySignal(command);
				case REOPEN_LOGS -> this.logReopening.reopen(this.workers.all());
				case UPGRADE -> startUpgrade(now);
			}
		}
	}

	private void stop(String why, Duration patience, long now) {
		this.serviceManager.stopping();
		this.upgrade.abort("this master is stopping (" + why + ")", now);
		drain(why, patience, now);
	}

	// Like SIGTERM, except that the service goes on: under a new master after an upgrade.
	private void drain(String why, Duration patience, long now) {
		if (this.stopping) {
			logger.info(why + " again: killing the remaining workers now");
			patience = Duration.ZERO;
		}
		else {
			logger.info(why + ": stopping; closing " + host() + ":" + this.port + ", stopping "
					+ this.workers.all().size() + " workers, waiting up to " + formatSeconds(patience.toNanos()));
		}
		this.stopping = true;
		this.dispatcher.stop(now);
		long deadline = now + patience.toNanos();
		for (WorkerProcess worker : this.workers.all()) {
			if (!worker.isStopRequested() || worker.deadline() - deadline > 0) {
				worker.stopRequested(ExitCause.SHUTDOWN, deadline);
			}
			terminate(worker);
		}
	}

	private void startUpgrade(long now) {
		if (this.stopping || this.successor >= 0) {
			logger.info("SIGUSR2 ignored: this master is stopping or handing over");
			return;
		}
		this.upgrade.start(this.dispatcher.listenerFd(), this.management.listenerFd(), now);
	}

	// The new master serves the same sockets by now. This one stops accepting, hands the
	// connections it has accepted to its own workers (none is turned away), then lets its
	// workers finish as on SIGTERM, and exits 0.
	private void superviseUpgrade(PollSet polled, long now) {
		int ready = this.upgrade.supervise(this.poller.isReady(polled.upgrade()), now);
		if (ready >= 0) {
			this.successor = ready;
			this.serviceManager.mainPid(ready, "Upgraded: new master pid " + ready);
			this.dispatcher.stopAccepting();
			// Probes too: a draining old worker would answer readiness 503 for a server that serves.
			this.management.stopAccepting();
			int waiting = this.dispatcher.waiting();
			logger.info("Upgrade: the new master pid " + ready + " is ready; this master stops accepting"
					+ ((waiting > 0) ? ", hands the " + waiting + " connections waiting in it to its workers," : "")
					+ " and drains");
		}
		if (this.successor >= 0 && !this.stopping && this.dispatcher.waiting() == 0) {
			drain("Upgrade: handed over to the new master pid " + this.successor,
					this.settings.timeouts().gracefulShutdown(), now);
		}
	}

	private void reload(long now) {
		if (this.stopping) {
			return;
		}
		int count = 0;
		for (int slot = 0; slot < this.workers.capacity(); slot++) {
			WorkerProcess worker = this.workers.inSlot(slot);
			if (worker != null && worker.state() != WorkerState.STOPPING) {
				worker.recycle(new RecyclePolicy.Recycle(ExitCause.RECYCLED, "rolling restart (SIGHUP)"));
				count++;
			}
		}
		logger.info("SIGHUP: rolling restart of " + count + " workers, one at a time, each replacement ready "
				+ "before the worker it replaces retires");
	}

	private void resizeBySignal(MasterCommand command) {
		if (this.settings.pool().mode() == PoolMode.DYNAMIC) {
			logger.info(command.signal + " ignored: a dynamic pool sizes itself");
			return;
		}
		int before = this.target;
		int change = (command == MasterCommand.ADD_WORKER) ? 1 : -1;
		this.target = Math.max(1, Math.min(this.workers.capacity(), this.target + change));
		logger.info(command.signal + ": pool size " + before + " -> " + this.target);
	}

	private void readMessages(PollSet polled, long now) {
		for (Map.Entry<WorkerProcess, Integer> entry : polled.channels().entrySet()) {
			WorkerProcess worker = entry.getKey();
			if (this.poller.isReady(entry.getValue()) && worker.channel() != null) {
				drainChannel(worker, now);
			}
		}
	}

	private void drainChannel(WorkerProcess worker, long now) {
		try {
			int received;
			do {
				received = worker.channel().receiveNow(this.messages);
				if (received == 0) {
					channelLost(worker, now);
					return;
				}
				if (received > 0) {
					worker.heard(now);
				}
				for (int i = 0; i < received && worker.channel() != null; i++) {
					int length = this.messages.copy(i, this.messageBuffer);
					handleMessage(worker, MessageCodec.decode(this.messageBuffer, length), now);
				}
			}
			// A full batch may have left more behind.
			while (received == this.messages.slots() && worker.channel() != null);
		}
		catch (PosixException | ProtocolException ex) {
			kill(worker, now, ExitCause.CRASH, "control channel failed (" + ex.getMessage() + ")");
		}
	}

	private void handleMessage(WorkerProcess worker, Message message, long now) {
		if (this.management.handle(worker, message, now)) {
			return;
		}
		if (message instanceof Message.Ready) {
			workerReady(worker, now);
		}
		else if (message instanceof Message.Warming warming) {
			workerWarming(worker, warming, now);
		}
		else if (message instanceof Message.Accepted accepted) {
			long[] taken = worker.acknowledged(accepted.connectionId());
			this.scoreboard.pool().add(PoolCounter.HANDED_OVER, taken.length);
			if (this.settings.dispatch() == DispatchMode.ACCEPT_ON_COMMAND) {
				this.scoreboard.pool().add(PoolCounter.ACCEPTED, taken.length);
			}
			for (long connectionId : taken) {
				replied(worker, connectionId, true);
			}
		}
		else if (message instanceof Message.NotAccepted notAccepted) {
			if (worker.notAccepted(notAccepted.connectionId())) {
				replied(worker, notAccepted.connectionId(), false);
			}
		}
		else if (message instanceof Message.Closed closed) {
			worker.connectionClosed(now);
			this.dispatcher.closed(worker, closed.connectionId(), closed.leftOpen(), now);
		}
		else if (message instanceof Message.Heartbeat heartbeat) {
			worker.served(heartbeat.requestsServed());
		}
		else if (message instanceof Message.RequestTimedOut timedOut) {
			retire(worker, ExitCause.REQUEST_TIMEOUT, "a request ran " + formatSeconds(timedOut.elapsedMillis() * 1_000_000)
					+ " > " + formatSeconds(this.settings.timeouts().request().toNanos())
					+ " (server.prefork.timeouts.request)", now + REQUEST_TIMEOUT_GRACE_NANOS);
		}
		else if (message instanceof Message.PoolCommand command) {
			poolCommand(worker, command);
		}
		else if (message instanceof Message.PoolCall call) {
			this.poolCalls.start(worker, call.callId(), now);
		}
		else if (message instanceof Message.PoolCallAnswered answered) {
			this.poolCalls.answered(worker, answered);
		}
		else if (message instanceof Message.ShutdownRequest shutdown) {
			this.exitCode = (int) shutdown.exitCode();
			stop(worker + " (the application) asked to shut down", this.settings.timeouts().gracefulShutdown(), now);
		}
		else {
			throw new ProtocolException("unexpected message from a worker: " + message);
		}
	}

	// Still booting: no connections. The boot deadline is met; the warm-up has its own, which
	// the worker keeps itself (it stops warming and reports ready), this one only if it hangs.
	private void workerWarming(WorkerProcess worker, Message.Warming warming, long now) {
		if (worker.state() == WorkerState.STARTING) {
			long timeout = TimeUnit.MILLISECONDS.toNanos(warming.timeoutMillis());
			worker.warming(now + timeout + WARMUP_GRACE_NANOS);
			logger.info(worker + " started in " + formatSeconds(now - worker.spawnedAt) + ", warming up (at most "
					+ formatSeconds(timeout) + ")");
		}
	}

	private void workerReady(WorkerProcess worker, long now) {
		if (!worker.state().isBooting()) {
			return;
		}
		worker.ready(now);
		this.respawns.workerReady(now);
		logger.info(worker + " ready in " + formatSeconds(now - worker.spawnedAt));
		if (this.workers.isSuccessor(worker)) {
			WorkerProcess replaced = this.workers.promote(worker);
			if (replaced != null && replaced.recycle() != null) {
				retire(replaced, replaced.recycle().cause(), "replaced by pid " + worker.pid + " ("
						+ replaced.recycle().description() + ")", now + this.settings.timeouts().gracefulShutdown().toNanos());
			}
		}
		notifyServing();
	}

	// Type=notify: systemd counts the service started once the initial pool serves; the
	// new master of an upgrade tells the old one instead.
	private void notifyServing() {
		this.readiness.workersServing(this.workers.serving(), Math.min(this.target, this.settings.workers()),
				host() + ":" + this.port);
	}

	// A retiring worker finishes what it holds; SIGTERM waits until it has answered about a
	// connection in flight, so that connection is served, not dropped by the pausing Tomcat.
	private void replied(WorkerProcess worker, long connectionId, boolean taken) {
		this.dispatcher.replied(worker, connectionId, taken);
		if (worker.state() == WorkerState.STOPPING && worker.isStopRequested() && !worker.awaitsAcknowledgement()) {
			terminate(worker);
		}
	}

	private void retire(WorkerProcess worker, ExitCause cause, String reason, long deadline) {
		logger.info("Retiring " + worker + ": " + reason + "; it may finish its requests until "
				+ formatSeconds(deadline - System.nanoTime()) + " from now");
		this.workers.vacate(worker);
		worker.stopRequested(cause, deadline);
		if (!worker.awaitsAcknowledgement()) {
			terminate(worker);
		}
	}

	// Asking over the channel lets the application hear why (a retirement event) before it
	// exits as on SIGTERM; SIGTERM itself when the channel is gone.
	private static void terminate(WorkerProcess worker) {
		if (!worker.markTerminated()) {
			return;
		}
		byte[] retire = MessageCodec.encode(new Message.Retire(worker.stopCause().ordinal()));
		try {
			if (worker.channel() != null && worker.channel().trySend(retire)) {
				return;
			}
		}
		catch (PosixException ex) {
			logger.debug(worker + ": cannot ask it to retire (" + ex.getMessage() + "); sending SIGTERM");
		}
		Processes.terminate(worker.pid);
	}

	private void channelLost(WorkerProcess worker, long now) {
		worker.closeChannel();
		this.dispatcher.lost(worker, now);
		this.poolCalls.lost(worker);
		if (worker.state() != WorkerState.STOPPING) {
			logger.debug(worker + ": control channel closed, waiting for the process to exit");
			worker.stopping(now + EXIT_AFTER_EOF_NANOS);
		}
	}

	private void kill(WorkerProcess worker, long now, ExitCause cause, String reason) {
		logger.warn(worker + ": " + reason + ", killing it");
		if (worker.everReady()) {
			// Replace it at once; one that never started is replaced after the back-off.
			this.workers.vacate(worker);
		}
		// Its connections are settled when it is gone (its channel closes), not before: until
		// then it may still be writing to them. A killed process is reaped within
		// milliseconds; the deadline only repeats the kill.
		worker.stopRequested(cause, now + EXIT_AFTER_EOF_NANOS);
		Processes.kill(worker.pid);
	}

	private void enforceDeadlines(long now) {
		this.dispatcher.expire(now);
		this.poolCalls.expire(now);
		long heartbeat = this.settings.timeouts().heartbeat().toNanos();
		for (WorkerProcess worker : List.copyOf(this.workers.all())) {
			if (worker.state().isServing() && now - worker.lastHeard() > heartbeat) {
				kill(worker, now, ExitCause.TIMEOUT, "silent for " + formatSeconds(now - worker.lastHeard()) + " > "
						+ formatSeconds(heartbeat) + " (server.prefork.timeouts.heartbeat)");
			}
			else if (now - worker.deadline() < 0) {
				continue;
			}
			else if (worker.state() == WorkerState.WARMING) {
				kill(worker, now, ExitCause.TIMEOUT, "still warming up " + formatSeconds(WARMUP_GRACE_NANOS)
						+ " after its server.prefork.worker.warmup.timeout");
			}
			else if (worker.state().isBooting()) {
				kill(worker, now, ExitCause.TIMEOUT, "not ready after " + formatSeconds(now - worker.spawnedAt) + " > "
						+ formatSeconds(this.settings.timeouts().boot().toNanos()) + " (server.prefork.timeouts.boot)");
			}
			else if (worker.state() == WorkerState.STOPPING) {
				kill(worker, now, worker.stopCause(), "still running at its stop deadline");
			}
			else if (worker.awaitsAcknowledgement()) {
				kill(worker, now, ExitCause.TIMEOUT, "no reply about connection " + worker.pendingConnection()
						+ " within " + formatSeconds(this.settings.timeouts().handoff().toNanos())
						+ " (server.prefork.timeouts.handoff)");
			}
		}
	}

	private void maintainPool(long now) {
		this.respawns.checkApplicationCanStart();
		sampleMemory(now);
		markForRecycling(now);
		replaceOneRecycled(now);
		resize(now);
		this.launcher.maintain(now, this.workers.counts().starting());
	}

	private void sampleMemory(long now) {
		if (now - this.nextMemorySample < 0) {
			return;
		}
		this.nextMemorySample = now + MEMORY_SAMPLE_NANOS;
		for (WorkerProcess worker : this.workers.all()) {
			if (worker.state().isServing()) {
				worker.rss(Processes.residentBytes(worker.pid));
			}
		}
	}

	private void markForRecycling(long now) {
		PreforkSettings.Worker limits = this.settings.worker();
		for (int slot = 0; slot < this.workers.capacity(); slot++) {
			WorkerProcess worker = this.workers.inSlot(slot);
			if (worker == null || !worker.state().isServing() || worker.recycle() != null) {
				continue;
			}
			RecyclePolicy.Recycle recycle = RecyclePolicy.reason(worker.requestsServed(), worker.requestLimit,
					worker.rssBytes(), limits.maxRssBytes(), Duration.ofNanos(now - worker.spawnedAt), limits.maxAge());
			if (recycle != null) {
				logger.info(worker + " will be recycled: " + recycle.description());
				worker.recycle(recycle);
			}
		}
	}

	// One planned replacement at a time: the pool never loses more than the worker being
	// replaced, and only once its successor is ready.
	private void replaceOneRecycled(long now) {
		if (this.workers.replacing() || !this.respawns.replacementsAllowed(now)
				|| this.workers.counts().starting() >= this.settings.pool().maxStarting()) {
			return;
		}
		for (int slot = 0; slot < this.workers.capacity(); slot++) {
			WorkerProcess worker = this.workers.inSlot(slot);
			if (worker != null && worker.recycle() != null && worker.state().isServing()
					&& this.workers.successorOf(slot) == null) {
				spawn(slot, now, true);
				return;
			}
		}
	}

	private void resize(long now) {
		PreforkSettings.Pool pool = this.settings.pool();
		PoolSizing.Counts counts = this.workers.counts();
		if (counts.total() >= this.settings.workers()) {
			this.initialSizeReached = true;
		}
		int floor = (pool.mode() == PoolMode.STATIC) ? this.target
				: (this.initialSizeReached ? 1 : this.settings.workers());
		int toStart = PoolSizing.toStart(counts, pool.mode(), floor, pool.minSpare(), this.workers.capacity(),
				pool.maxStarting());
		toStart = this.respawns.startsAllowed(toStart, this.workers.serving(), counts.starting(), now);
		toStart = SqlInitOrder.startsAllowed(this.settings.sqlInit(), this.respawns.anyWorkerEverReady(), toStart,
				counts.starting());
		for (int slot = 0; slot < this.workers.capacity() && toStart > 0; slot++) {
			if (this.workers.isFree(slot)) {
				spawn(slot, now, false);
				toStart--;
			}
		}
		if (pool.mode() == PoolMode.STATIC && counts.total() > this.target) {
			retireOne(now, "pool size lowered to " + this.target + " (SIGTTOU)");
		}
		else if (PoolSizing.tooManyIdle(counts, pool.mode(), pool.maxSpare())) {
			retireLongestIdle(now);
		}
	}

	private void retireOne(long now, String reason) {
		for (int slot = this.workers.capacity() - 1; slot >= 0; slot--) {
			WorkerProcess worker = this.workers.inSlot(slot);
			if (worker != null && worker.state() != WorkerState.STOPPING) {
				retire(worker, ExitCause.SCALED_DOWN, reason,
						now + this.settings.timeouts().gracefulShutdown().toNanos());
				return;
			}
		}
	}

	private void retireLongestIdle(long now) {
		WorkerProcess longest = null;
		for (int slot = 0; slot < this.workers.capacity(); slot++) {
			WorkerProcess worker = this.workers.inSlot(slot);
			if (worker != null && worker.state() == WorkerState.IDLE
					&& (longest == null || worker.idleSince() - longest.idleSince() < 0)) {
				longest = worker;
			}
		}
		Duration idleTimeout = this.settings.pool().idleTimeout();
		if (longest != null && now - longest.idleSince() >= idleTimeout.toNanos()) {
			retire(longest, ExitCause.SCALED_DOWN, "idle for " + formatSeconds(now - longest.idleSince())
					+ " with more than " + this.settings.pool().maxSpare() + " idle workers (max-spare)",
					now + this.settings.timeouts().gracefulShutdown().toNanos());
		}
	}

	private void spawn(int slot, long now, boolean asSuccessor) {
		ControlSocket[] pair;
		try {
			pair = ControlSocket.pair();
		}
		catch (PosixException ex) {
			logger.error("Cannot create a control channel for worker " + slot + ": " + ex.getMessage());
			this.respawns.spawnFailed(now, false);
			return;
		}
		int row = freeRow();
		WorkerIdentity identity = new WorkerIdentity(slot, this.generations[slot], this.port, this.management.port(),
				this.settings.dispatch(), row, this.scoreboard.file().toString(),
				SqlInitOrder.initialises(this.settings.sqlInit(), this.respawns.anyWorkerEverReady()));
		try {
			int pid = this.launcher.spawn(identity, pair[1].fd(), this.dispatcher.inheritedListenerFd());
			this.generations[slot]++;
			PreforkSettings.Worker limits = this.settings.worker();
			long requestLimit = RecyclePolicy.requestLimit(limits.maxRequests(), limits.maxRequestsJitter(),
					ThreadLocalRandom.current().nextDouble());
			WorkerProcess worker = new WorkerProcess(slot, identity.generation(), pid, row, pair[0], now,
					now + this.settings.timeouts().boot().toNanos(), requestLimit);
			this.rowsInUse[row] = true;
			this.scoreboard.pool().add(PoolCounter.SPAWNED, 1);
			this.workers.add(worker, asSuccessor);
			logger.info("Spawned " + worker + " (generation " + identity.generation()
					+ (asSuccessor ? ", to replace pid " + this.workers.inSlot(slot).pid : "")
					+ ((this.settings.sqlInit() == SqlInitialization.FIRST_WORKER && identity.initialises())
							? ", initialises the database alone" : "")
					+ ")");
		}
		catch (PosixException ex) {
			logger.error("Cannot spawn worker " + slot + ": " + ex.getMessage());
			pair[0].close();
			this.respawns.spawnFailed(now, true);
		}
		finally {
			pair[1].close();
		}
	}

	private int freeRow() {
		for (int row = 0; row < this.rowsInUse.length; row++) {
			if (!this.rowsInUse[row]) {
				return row;
			}
		}
		// Every slot has at most a current worker, a successor and retiring workers; more
		// retiring workers than slots at once is a master bug.
		throw new IllegalStateException("No free scoreboard row for a new worker");
	}

	// The worker is gone, so the master may clear its section too; its requests join the
	// pool total in the same step, which therefore never goes backwards.
	private void releaseRow(WorkerProcess worker, ExitCause cause) {
		this.scoreboard.pool().add(EXIT_COUNTERS.get(cause), 1);
		this.scoreboard.release(worker.row);
		this.rowsInUse[worker.row] = false;
	}

	// Once a turn: the master's view of every worker, for the endpoint, metrics and status.
	private void publish() {
		PoolCounters pool = this.scoreboard.pool();
		pool.set(PoolCounter.TARGET_WORKERS, (this.settings.pool().mode() == PoolMode.STATIC) ? this.target
				: this.workers.counts().total());
		pool.set(PoolCounter.CONSECUTIVE_BOOT_FAILURES, this.respawns.consecutiveBootFailures());
		this.dispatcher.publish();
		for (WorkerProcess worker : this.workers.all()) {
			this.scoreboard.master(worker.row).update(worker.slot, worker.pid, worker.generation,
					worker.state().name().toLowerCase(Locale.ROOT), worker.spawnedAtEpochMillis, worker.rssBytes(),
					worker.openConnections(), worker.connectionsHandedOver());
		}
	}

	private void poolCommand(WorkerProcess worker, Message.PoolCommand command) {
		logger.info(worker + " (the application) asks for a pool change: " + command.command());
		if (command.command() == Message.PoolCommand.RELOAD) {
			this.commands.submit(MasterCommand.RELOAD);
		}
		else if (command.command() == Message.PoolCommand.ADD_WORKER) {
			this.commands.submit(MasterCommand.ADD_WORKER);
		}
		else if (command.command() == Message.PoolCommand.REMOVE_WORKER) {
			this.commands.submit(MasterCommand.REMOVE_WORKER);
		}
		else {
			throw new ProtocolException("unknown pool command " + command.command());
		}
	}

	/**
	 * Last resort on any exit path (including a crash of the loop or a {@code System.exit}
	 * elsewhere): no worker outlives the master.
	 */
	private void killSurvivors() {
		this.upgrade.killNow();
		for (Integer pid : this.workers.livePids()) {
			Processes.kill(pid);
			Processes.awaitExit(pid);
			this.workers.livePids().remove(pid);
		}
	}

	private String host() {
		return (this.settings.address() != null) ? this.settings.address().getHostAddress() : "*";
	}

	private static String formatSeconds(long nanos) {
		return String.format("%.1f s", nanos / 1e9);
	}

	private final class Failures implements WorkerFailures {

		@Override
		public void channelLost(WorkerProcess worker, long now) {
			Master.this.channelLost(worker, now);
		}

		@Override
		public void kill(WorkerProcess worker, long now, String reason) {
			Master.this.kill(worker, now, ExitCause.CRASH, reason);
		}

	}

	private record PollSet(int wakeup, int listener, Map<WorkerProcess, Integer> channels, int[] dispatcher,
			int management, int upgrade) {
	}

}
