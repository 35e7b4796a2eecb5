package io.prefork.master;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.prefork.OverloadPolicy;
import io.prefork.PreforkException;
import io.prefork.PreforkSettings;
import io.prefork.pool.AdmissionDecision;
import io.prefork.pool.ExitStatus;
import io.prefork.pool.RespawnPolicy;
import io.prefork.pool.WorkerChoice;
import io.prefork.pool.WorkerState;
import io.prefork.posix.ControlSocket;
import io.prefork.posix.FileDescriptors;
import io.prefork.posix.ListeningSocket;
import io.prefork.posix.Poller;
import io.prefork.posix.PosixException;
import io.prefork.posix.Processes;
import io.prefork.posix.WakeupPipe;
import io.prefork.protocol.Message;
import io.prefork.protocol.MessageCodec;
import io.prefork.protocol.ProtocolException;
import io.prefork.protocol.WorkerIdentity;

/**
 * The master process: owns the listening socket and the pool. One thread runs the loop and
 * owns all pool state; it blocks only in {@link Poller#await(int)}, then runs the same steps
 * every turn: reap, commands, messages, deadlines, pool, dispatch.
 */
public final class Master {

	private static final Log logger = LogFactory.getLog(Master.class);

	/** The longest the loop sleeps, so a missed wake-up costs at most this much. */
	private static final long MAX_POLL_NANOS = TimeUnit.SECONDS.toNanos(1);

	/** Accepts per turn, so worker messages are never starved by a connection flood. */
	private static final int MAX_ACCEPTS_PER_TURN = 64;

	/** How long accepting pauses after EMFILE and similar resource errors. */
	private static final long ACCEPT_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

	/** How long a worker whose channel closed may take to exit before it is killed. */
	private static final long EXIT_AFTER_EOF_NANOS = TimeUnit.SECONDS.toNanos(10);

	/** How long a quick stop (SIGINT) waits for workers. */
	private static final Duration QUICK_STOP = Duration.ofSeconds(5);

	/** At most one "server reached its capacity" line per this interval. */
	private static final long SATURATION_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

	private final PreforkSettings settings;

	private final WorkerLauncher launcher;

	private final WakeupPipe wakeup;

	private final CommandQueue commands;

	private final WorkerProcess[] slots;

	private final int[] generations;

	private final long[] spawnNotBefore;

	private final Map<Integer, WorkerProcess> workersByPid = new HashMap<>();

	/** Live pids for the shutdown hook, the only state another thread reads. */
	private final Set<Integer> livePids = ConcurrentHashMap.newKeySet();

	private final Poller poller = new Poller(16);

	private final byte[] messageBuffer = new byte[ControlSocket.MAX_MESSAGE];

	private final ConnectionQueue queue = new ConnectionQueue();

	private final Rejector rejector;

	private ListeningSocket listener;

	private long nextConnectionId = 1;

	private int previousSlot = -1;

	private int consecutiveBootFailures;

	private boolean anyWorkerEverReady;

	private boolean stopping;

	private long acceptPausedUntil;

	private long lastSaturationLog;

	Master(PreforkSettings settings, WorkerLauncher launcher) throws PosixException {
		this.settings = settings;
		this.launcher = launcher;
		this.wakeup = new WakeupPipe();
		this.commands = new CommandQueue(this.wakeup);
		this.slots = new WorkerProcess[settings.workers()];
		this.generations = new int[settings.workers()];
		this.spawnNotBefore = new long[settings.workers()];
		this.rejector = new Rejector(settings.overload().retryAfter());
	}

	/**
	 * Create a master that starts workers with this JVM's own command line.
	 * @param settings the settings
	 * @return the master
	 */
	public static Master forThisProcess(PreforkSettings settings) {
		try {
			return new Master(settings, WorkerLauncher.ofThisProcess(settings.worker().jvmOptions()));
		}
		catch (PosixException ex) {
			throw new PreforkException("Cannot create the master's wake-up pipe: " + ex.getMessage(),
					"Check the process's file descriptor limit (ulimit -n).", ex);
		}
	}

	/**
	 * Run until stopped.
	 * @return the process exit code
	 * @throws PreforkException if the server cannot start or no worker can start
	 */
	public int run() {
		this.listener = listen();
		Thread cleanup = new Thread(this::killSurvivors, "prefork-master-cleanup");
		Runtime.getRuntime().addShutdownHook(cleanup);
		MasterSignals.install(this.commands);
		logger.info("Prefork master pid " + ProcessHandle.current().pid() + " listening on "
				+ describeAddress() + " with " + this.slots.length + " workers (dispatch pass-fd)");
		logger.debug("Worker command line: " + this.launcher.argv());
		try {
			return loop();
		}
		finally {
			closeListener();
			turnAwayQueued(RejectReason.SHUTDOWN, System.nanoTime());
			this.rejector.closeAll();
			killSurvivors();
			this.wakeup.close();
		}
	}

	private ListeningSocket listen() {
		try {
			return ListeningSocket.open(this.settings.address(), this.settings.port(),
					this.settings.overload().backlog());
		}
		catch (PosixException ex) {
			throw new PreforkException("The prefork master failed to listen on " + describeConfiguredAddress() + ": "
					+ ex.getMessage(),
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
			reapWorkers(now);
			handleCommands(now);
			readMessages(polled, now);
			this.rejector.service(this.poller, polled.lingering(), now);
			enforceDeadlines(now);
			if (this.stopping) {
				if (this.workersByPid.isEmpty()) {
					logger.info("All workers stopped; prefork master exiting (connections turned away: "
							+ describeRejections() + ")");
					return 0;
				}
				continue;
			}
			maintainPool(now);
			dispatch(now, this.poller.isReady(polled.listener()));
		}
	}

	private PollSet waitForEvents() {
		this.poller.clear();
		int wakeupIndex = this.poller.add(this.wakeup.readFd());
		int listenerIndex = -1;
		if (this.listener != null && System.nanoTime() - this.acceptPausedUntil >= 0
				&& admission() != AdmissionDecision.STOP_ACCEPTING) {
			listenerIndex = this.poller.add(this.listener.fd());
		}
		int[] lingering = this.rejector.register(this.poller);
		Map<WorkerProcess, Integer> channels = new HashMap<>();
		for (WorkerProcess worker : this.workersByPid.values()) {
			if (worker.channel() != null) {
				channels.put(worker, this.poller.add(worker.channel().fd()));
			}
		}
		try {
			this.poller.await(pollTimeoutMillis());
		}
		catch (PosixException ex) {
			throw new PreforkException("The master loop failed: " + ex.getMessage(), "Report this as a bug.", ex);
		}
		return new PollSet(wakeupIndex, listenerIndex, channels, lingering);
	}

	private int pollTimeoutMillis() {
		long now = System.nanoTime();
		long next = now + MAX_POLL_NANOS;
		for (WorkerProcess worker : this.workersByPid.values()) {
			if (worker.state() == WorkerState.STARTING || worker.state() == WorkerState.STOPPING
					|| worker.awaitsAcknowledgement()) {
				next = earlier(next, worker.deadline());
			}
		}
		for (int slot = 0; slot < this.slots.length; slot++) {
			if (this.slots[slot] == null && !this.stopping) {
				next = earlier(next, this.spawnNotBefore[slot]);
			}
		}
		if (this.acceptPausedUntil - now > 0) {
			next = earlier(next, this.acceptPausedUntil);
		}
		ConnectionQueue.Queued oldest = this.queue.peek();
		if (oldest != null) {
			next = earlier(next, oldest.acceptedAt() + this.settings.overload().maxQueueWait().toNanos());
		}
		next = earlier(next, this.rejector.nextDeadline(next));
		return (int) Math.max(0, TimeUnit.NANOSECONDS.toMillis(next - now + 999_999));
	}

	private static long earlier(long a, long b) {
		return (b - a < 0) ? b : a;
	}

	private void reapWorkers(long now) {
		Processes.Reaped reaped;
		while ((reaped = Processes.reapOne()) != null) {
			WorkerProcess worker = this.workersByPid.remove(reaped.pid());
			ExitStatus status = ExitStatus.fromWaitStatus(reaped.status());
			if (worker == null) {
				logger.warn("Reaped unknown child pid " + reaped.pid() + ": " + status.describe());
				continue;
			}
			workerExited(worker, status, now);
		}
	}

	private void workerExited(WorkerProcess worker, ExitStatus status, long now) {
		boolean expected = worker.isStopRequested();
		worker.closeChannel();
		worker.moveTo(WorkerState.DEAD);
		this.livePids.remove(worker.pid);
		this.slots[worker.slot] = null;
		if (!worker.everReady()) {
			this.consecutiveBootFailures++;
		}
		String summary = worker + " " + status.describe() + " after "
				+ formatSeconds(now - worker.spawnedAt) + " and " + worker.connectionsHandedOver() + " connections";
		if (this.stopping) {
			logger.info(summary);
			return;
		}
		Duration delay = RespawnPolicy.respawnDelay(this.consecutiveBootFailures);
		this.spawnNotBefore[worker.slot] = now + delay.toNanos();
		String replacement = delay.isZero() ? "; replacing it" : "; replacing it in " + delay.toSeconds() + " s";
		if (expected) {
			logger.info(summary + replacement);
		}
		else if (worker.everReady()) {
			logger.warn(summary + ", unexpectedly" + replacement);
		}
		else {
			logger.error(summary + " while starting (see its output above)" + replacement);
		}
	}

	private void handleCommands(long now) {
		MasterCommand command;
		while ((command = this.commands.poll()) != null) {
			Duration patience = (command == MasterCommand.STOP_GRACEFULLY)
					? this.settings.timeouts().gracefulShutdown() : QUICK_STOP;
			if (this.stopping) {
				logger.info(command.signal + " again: killing the remaining workers now");
				patience = Duration.ZERO;
			}
			else {
				logger.info(command.signal + ": stopping; closing " + describeAddress() + ", stopping "
						+ this.workersByPid.size() + " workers, waiting up to " + formatSeconds(patience.toNanos()));
			}
			beginStop(now, patience);
		}
	}

	private void beginStop(long now, Duration patience) {
		this.stopping = true;
		closeListener();
		turnAwayQueued(RejectReason.SHUTDOWN, now);
		for (WorkerProcess worker : this.workersByPid.values()) {
			if (!worker.isStopRequested()) {
				worker.stopRequested(now + patience.toNanos());
				Processes.terminate(worker.pid);
			}
			else if (worker.deadline() - (now + patience.toNanos()) > 0) {
				worker.stopRequested(now + patience.toNanos());
			}
		}
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
			int length;
			while (worker.channel() != null && (length = worker.channel().receiveNow(this.messageBuffer)) != -1) {
				if (length == 0) {
					channelClosed(worker, now);
					return;
				}
				handleMessage(worker, MessageCodec.decode(this.messageBuffer, length), now);
			}
		}
		catch (PosixException | ProtocolException ex) {
			logger.error(worker + ": control channel failed (" + ex.getMessage() + "), killing it");
			kill(worker, now);
		}
	}

	private void channelClosed(WorkerProcess worker, long now) {
		worker.closeChannel();
		if (worker.state() != WorkerState.STOPPING) {
			logger.debug(worker + ": control channel closed, waiting for the process to exit");
			worker.stopping(now + EXIT_AFTER_EOF_NANOS);
		}
	}

	private void handleMessage(WorkerProcess worker, Message message, long now) {
		if (message instanceof Message.Ready) {
			if (worker.state() == WorkerState.STARTING) {
				worker.ready();
				this.anyWorkerEverReady = true;
				this.consecutiveBootFailures = 0;
				logger.info(worker + " ready in " + formatSeconds(now - worker.spawnedAt));
			}
		}
		else if (message instanceof Message.Accepted accepted) {
			worker.acknowledged(accepted.connectionId());
		}
		else if (message instanceof Message.Closed) {
			worker.connectionClosed();
		}
		else {
			throw new ProtocolException("unexpected message from a worker: " + message);
		}
	}

	private void enforceDeadlines(long now) {
		long maxWait = this.settings.overload().maxQueueWait().toNanos();
		ConnectionQueue.Queued oldest;
		while ((oldest = this.queue.peek()) != null && now - oldest.acceptedAt() >= maxWait) {
			turnAway(this.queue.poll().fd(), RejectReason.QUEUE_TIMEOUT, now);
		}
		for (WorkerProcess worker : List.copyOf(this.workersByPid.values())) {
			if (now - worker.deadline() < 0) {
				continue;
			}
			if (worker.state() == WorkerState.STARTING) {
				logger.warn(worker + " not ready after " + formatSeconds(now - worker.spawnedAt) + " > "
						+ formatSeconds(this.settings.timeouts().boot().toNanos())
						+ " (server.prefork.timeouts.boot), killing it");
				kill(worker, now);
			}
			else if (worker.state() == WorkerState.STOPPING) {
				logger.warn(worker + " still running at its stop deadline, killing it");
				kill(worker, now);
			}
			else if (worker.awaitsAcknowledgement()) {
				logger.warn(worker + " did not acknowledge connection " + worker.pendingConnection() + " within "
						+ formatSeconds(this.settings.timeouts().handoff().toNanos())
						+ " (server.prefork.timeouts.handoff), killing it");
				kill(worker, now);
			}
		}
	}

	private void kill(WorkerProcess worker, long now) {
		// A killed process is reaped within milliseconds; the deadline only repeats the kill.
		worker.stopRequested(now + EXIT_AFTER_EOF_NANOS);
		Processes.kill(worker.pid);
	}

	private void maintainPool(long now) {
		if (RespawnPolicy.shouldGiveUp(this.consecutiveBootFailures, this.anyWorkerEverReady)) {
			throw new PreforkException("No worker could start: " + this.consecutiveBootFailures
					+ " workers in a row exited or timed out before they were ready, and none ever was.",
					"Read the workers' output above for the cause (the application itself may fail to start), "
							+ "or allow more time with 'server.prefork.timeouts.boot'.",
					null);
		}
		for (int slot = 0; slot < this.slots.length; slot++) {
			if (this.slots[slot] == null && now - this.spawnNotBefore[slot] >= 0) {
				spawn(slot, now);
			}
		}
	}

	private void spawn(int slot, long now) {
		ControlSocket[] pair;
		try {
			pair = ControlSocket.pair();
		}
		catch (PosixException ex) {
			logger.error("Cannot create a control channel for worker " + slot + ": " + ex.getMessage());
			this.spawnNotBefore[slot] = now + TimeUnit.SECONDS.toNanos(1);
			return;
		}
		WorkerIdentity identity = new WorkerIdentity(slot, this.generations[slot], this.listener.port());
		try {
			int pid = this.launcher.spawn(identity, pair[1].fd());
			this.generations[slot]++;
			WorkerProcess worker = new WorkerProcess(slot, identity.generation(), pid, pair[0], now,
					now + this.settings.timeouts().boot().toNanos());
			this.slots[slot] = worker;
			this.workersByPid.put(pid, worker);
			this.livePids.add(pid);
			logger.info("Spawned " + worker + " (generation " + identity.generation() + ")");
		}
		catch (PosixException ex) {
			logger.error("Cannot spawn worker " + slot + ": " + ex.getMessage());
			pair[0].close();
			this.consecutiveBootFailures++;
			this.spawnNotBefore[slot] = now + RespawnPolicy.respawnDelay(this.consecutiveBootFailures).toNanos();
		}
		finally {
			pair[1].close();
		}
	}

	private boolean hasCandidate() {
		for (WorkerProcess worker : this.slots) {
			if (worker != null && worker.canTakeConnection(this.settings.worker().maxConnections())) {
				return true;
			}
		}
		return false;
	}

	private AdmissionDecision admission() {
		PreforkSettings.Overload overload = this.settings.overload();
		return AdmissionDecision.decide(hasCandidate(), this.queue.size(), overload.queueSize(), overload.policy());
	}

	private void dispatch(long now, boolean listenerReady) {
		while (this.queue.size() > 0 && hasCandidate()) {
			handOver(this.queue.poll().fd(), now);
		}
		for (int accepted = 0; listenerReady && this.listener != null && accepted < MAX_ACCEPTS_PER_TURN; accepted++) {
			AdmissionDecision decision = admission();
			if (decision == AdmissionDecision.STOP_ACCEPTING) {
				noteSaturation(now);
				return;
			}
			int connection = accept(now);
			if (connection < 0) {
				return;
			}
			if (decision == AdmissionDecision.ACCEPT) {
				admit(connection, now);
			}
			else {
				noteSaturation(now);
				turnAway(connection, RejectReason.OVERLOAD, now);
			}
		}
	}

	private int accept(long now) {
		try {
			return this.listener.accept();
		}
		catch (PosixException ex) {
			logger.warn("Cannot accept connections (" + ex.getMessage() + "); pausing accepts for "
					+ TimeUnit.NANOSECONDS.toMillis(ACCEPT_PAUSE_NANOS) + " ms");
			this.acceptPausedUntil = now + ACCEPT_PAUSE_NANOS;
			return -1;
		}
	}

	private void admit(int connection, long now) {
		if (this.queue.size() == 0 && hasCandidate()) {
			handOver(connection, now);
		}
		else {
			this.queue.add(connection, now);
		}
	}

	private void turnAway(int connection, RejectReason reason, long now) {
		if (this.settings.overload().policy() == OverloadPolicy.CLOSE) {
			this.rejector.close(connection, reason);
		}
		else {
			this.rejector.reject(connection, reason, now);
		}
	}

	private void turnAwayQueued(RejectReason reason, long now) {
		ConnectionQueue.Queued queued;
		while ((queued = this.queue.poll()) != null) {
			turnAway(queued.fd(), reason, now);
		}
	}

	// Rate-limited, like Apache's "server reached MaxRequestWorkers setting".
	private void noteSaturation(long now) {
		if (now - this.lastSaturationLog < SATURATION_LOG_INTERVAL_NANOS && this.lastSaturationLog != 0) {
			return;
		}
		this.lastSaturationLog = now;
		PreforkSettings.Overload overload = this.settings.overload();
		logger.warn("Server reached its capacity: " + this.slots.length + " workers with up to "
				+ this.settings.worker().maxConnections() + " connections each are busy and " + this.queue.size()
				+ " connections are queued (server.prefork.overload.queue-size=" + overload.queueSize() + "); policy "
				+ overload.policy().name().toLowerCase(java.util.Locale.ROOT) + "; turned away so far: "
				+ describeRejections() + ". Consider more workers or worker.max-connections.");
	}

	private String describeRejections() {
		Map<RejectReason, Long> counts = this.rejector.counts();
		if (counts.isEmpty()) {
			return "none";
		}
		StringBuilder description = new StringBuilder();
		counts.forEach((reason, count) -> description.append((description.length() > 0) ? ", " : "")
			.append(reason.tag)
			.append('=')
			.append(count));
		return description.toString();
	}

	private void handOver(int connection, long now) {
		long connectionId = this.nextConnectionId++;
		byte[] frame = MessageCodec.encode(new Message.Handoff(connectionId));
		List<WorkerProcess> refused = new ArrayList<>();
		while (true) {
			WorkerProcess worker = chooseWorker(refused);
			if (worker == null) {
				logger.warn("No worker could take connection " + connectionId + "; turning it away");
				turnAway(connection, RejectReason.HANDOFF_FAILED, now);
				return;
			}
			if (send(worker, frame, connection, now)) {
				worker.handedOver(connectionId, now + this.settings.timeouts().handoff().toNanos());
				this.previousSlot = worker.slot;
				// The kernel holds its own reference for the worker; the master's copy goes.
				FileDescriptors.close(connection);
				return;
			}
			refused.add(worker);
		}
	}

	private WorkerProcess chooseWorker(List<WorkerProcess> excluded) {
		List<WorkerChoice.Candidate> candidates = new ArrayList<>();
		for (WorkerProcess worker : this.slots) {
			if (worker != null && !excluded.contains(worker)
					&& worker.canTakeConnection(this.settings.worker().maxConnections())) {
				candidates.add(new WorkerChoice.Candidate(worker.slot, worker.openConnections()));
			}
		}
		int slot = WorkerChoice.choose(candidates, this.previousSlot);
		return (slot >= 0) ? this.slots[slot] : null;
	}

	private boolean send(WorkerProcess worker, byte[] frame, int connection, long now) {
		try {
			return worker.channel().trySendWithFd(frame, frame.length, connection);
		}
		catch (PosixException ex) {
			if (ex.peerGone()) {
				channelClosed(worker, now);
			}
			else {
				logger.warn(worker + ": cannot hand over a connection (" + ex.getMessage() + "), killing it");
				kill(worker, now);
			}
			return false;
		}
	}

	private void closeListener() {
		if (this.listener != null) {
			this.listener.close();
			this.listener = null;
		}
	}

	/**
	 * Last resort on any exit path (including a crash of the loop or a {@code System.exit}
	 * elsewhere): no worker outlives the master.
	 */
	private void killSurvivors() {
		for (Integer pid : this.livePids) {
			Processes.kill(pid);
			Processes.awaitExit(pid);
			this.livePids.remove(pid);
		}
	}

	private String describeAddress() {
		return host() + ":" + ((this.listener != null) ? this.listener.port() : this.settings.port());
	}

	private String describeConfiguredAddress() {
		return host() + ":" + this.settings.port();
	}

	private String host() {
		return (this.settings.address() != null) ? this.settings.address().getHostAddress() : "*";
	}

	private static String formatSeconds(long nanos) {
		return String.format("%.1f s", nanos / 1e9);
	}

	private record PollSet(int wakeup, int listener, Map<WorkerProcess, Integer> channels, int[] lingering) {
	}

}
