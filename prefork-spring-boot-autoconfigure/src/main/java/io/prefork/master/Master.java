package io.prefork.master;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.prefork.PreforkException;
import io.prefork.PreforkSettings;
import io.prefork.pool.ExitStatus;
import io.prefork.pool.RespawnPolicy;
import io.prefork.pool.WorkerState;
import io.prefork.posix.ControlSocket;
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

	/** How long a worker whose channel closed may take to exit before it is killed. */
	private static final long EXIT_AFTER_EOF_NANOS = TimeUnit.SECONDS.toNanos(10);

	/** How long a quick stop (SIGINT) waits for workers. */
	private static final Duration QUICK_STOP = Duration.ofSeconds(5);

	private final PreforkSettings settings;

	private final WorkerLauncher launcher;

	private final WakeupPipe wakeup;

	private final CommandQueue commands;

	private final WorkerTable workers;

	private final int[] generations;

	private final long[] spawnNotBefore;

	private final Poller poller = new Poller(16);

	private final byte[] messageBuffer = new byte[ControlSocket.MAX_MESSAGE];

	private Dispatcher dispatcher;

	private int port;

	private int consecutiveBootFailures;

	private boolean anyWorkerEverReady;

	private boolean stopping;

	Master(PreforkSettings settings, WorkerLauncher launcher) throws PosixException {
		this.settings = settings;
		this.launcher = launcher;
		this.wakeup = new WakeupPipe();
		this.commands = new CommandQueue(this.wakeup);
		this.workers = new WorkerTable(settings.workers(), settings.worker().maxConnections());
		this.generations = new int[settings.workers()];
		this.spawnNotBefore = new long[settings.workers()];
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
	 * Run until stopped.
	 * @return the process exit code
	 * @throws PreforkException if the server cannot start or no worker can start
	 */
	public int run() {
		ListeningSocket listener = listen();
		this.port = listener.port();
		this.dispatcher = Dispatcher.create(this.settings, this.workers, new Failures(), listener);
		Runtime.getRuntime().addShutdownHook(new Thread(this::killSurvivors, "prefork-master-cleanup"));
		MasterSignals.install(this.commands);
		logger.info("Prefork master pid " + ProcessHandle.current().pid() + " listening on " + host() + ":" + this.port
				+ " with " + this.workers.size() + " workers (dispatch " + this.settings.dispatch().value() + ")");
		logger.debug("Worker command line: " + this.launcher.argv());
		try {
			return loop();
		}
		finally {
			this.dispatcher.close();
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
			reapWorkers(now);
			handleCommands(now);
			readMessages(polled, now);
			this.dispatcher.serviceLingering(this.poller, polled.lingering(), now);
			enforceDeadlines(now);
			if (this.stopping) {
				if (this.workers.isEmpty()) {
					logger.info("All workers stopped; prefork master exiting (connections turned away: "
							+ this.dispatcher.describeRejections() + ")");
					return 0;
				}
				continue;
			}
			maintainPool(now);
			this.dispatcher.dispatch(now, this.poller.isReady(polled.listener()));
		}
	}

	private PollSet waitForEvents() {
		long now = System.nanoTime();
		this.poller.clear();
		int wakeupIndex = this.poller.add(this.wakeup.readFd());
		int listenerIndex = this.dispatcher.wantsListener(now) ? this.poller.add(this.dispatcher.listenerFd()) : -1;
		int[] lingering = this.dispatcher.registerLingering(this.poller);
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
		return new PollSet(wakeupIndex, listenerIndex, channels, lingering);
	}

	private int pollTimeoutMillis(long now) {
		long next = now + MAX_POLL_NANOS;
		for (WorkerProcess worker : this.workers.all()) {
			if (worker.state() == WorkerState.STARTING || worker.state() == WorkerState.STOPPING
					|| worker.awaitsAcknowledgement()) {
				next = Dispatcher.earlier(next, worker.deadline());
			}
		}
		for (int slot = 0; slot < this.workers.size(); slot++) {
			if (this.workers.inSlot(slot) == null && !this.stopping) {
				next = Dispatcher.earlier(next, this.spawnNotBefore[slot]);
			}
		}
		next = this.dispatcher.nextDeadline(next);
		return (int) Math.max(0, TimeUnit.NANOSECONDS.toMillis(next - now + 999_999));
	}

	private void reapWorkers(long now) {
		Processes.Reaped reaped;
		while ((reaped = Processes.reapOne()) != null) {
			WorkerProcess worker = this.workers.remove(reaped.pid());
			ExitStatus status = ExitStatus.fromWaitStatus(reaped.status());
			if (worker == null) {
				logger.warn("Reaped unknown child pid " + reaped.pid() + ": " + status.describe());
				continue;
			}
			workerExited(worker, status, now);
		}
	}

	private void workerExited(WorkerProcess worker, ExitStatus status, long now) {
		worker.closeChannel();
		worker.moveTo(WorkerState.DEAD);
		if (!worker.everReady()) {
			this.consecutiveBootFailures++;
		}
		String summary = worker + " " + status.describe() + " after " + formatSeconds(now - worker.spawnedAt)
				+ " and " + worker.connectionsHandedOver() + " connections";
		if (this.stopping) {
			logger.info(summary);
			return;
		}
		Duration delay = RespawnPolicy.respawnDelay(this.consecutiveBootFailures);
		this.spawnNotBefore[worker.slot] = now + delay.toNanos();
		String replacement = delay.isZero() ? "; replacing it" : "; replacing it in " + delay.toSeconds() + " s";
		if (worker.isStopRequested()) {
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
				logger.info(command.signal + ": stopping; closing " + host() + ":" + this.port + ", stopping "
						+ this.workers.all().size() + " workers, waiting up to " + formatSeconds(patience.toNanos()));
			}
			beginStop(now, patience);
		}
	}

	private void beginStop(long now, Duration patience) {
		this.stopping = true;
		this.dispatcher.stop(now);
		long deadline = now + patience.toNanos();
		for (WorkerProcess worker : this.workers.all()) {
			if (!worker.isStopRequested()) {
				worker.stopRequested(deadline);
				Processes.terminate(worker.pid);
			}
			else if (worker.deadline() - deadline > 0) {
				worker.stopRequested(deadline);
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
					channelLost(worker, now);
					return;
				}
				handleMessage(worker, MessageCodec.decode(this.messageBuffer, length), now);
			}
		}
		catch (PosixException | ProtocolException ex) {
			kill(worker, now, "control channel failed (" + ex.getMessage() + ")");
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
		else if (message instanceof Message.NotAccepted notAccepted) {
			worker.notAccepted(notAccepted.connectionId());
		}
		else if (message instanceof Message.Closed) {
			worker.connectionClosed();
		}
		else {
			throw new ProtocolException("unexpected message from a worker: " + message);
		}
	}

	private void channelLost(WorkerProcess worker, long now) {
		worker.closeChannel();
		if (worker.state() != WorkerState.STOPPING) {
			logger.debug(worker + ": control channel closed, waiting for the process to exit");
			worker.stopping(now + EXIT_AFTER_EOF_NANOS);
		}
	}

	private void kill(WorkerProcess worker, long now, String reason) {
		logger.warn(worker + ": " + reason + ", killing it");
		// A killed process is reaped within milliseconds; the deadline only repeats the kill.
		worker.stopRequested(now + EXIT_AFTER_EOF_NANOS);
		Processes.kill(worker.pid);
	}

	private void enforceDeadlines(long now) {
		this.dispatcher.expire(now);
		for (WorkerProcess worker : List.copyOf(this.workers.all())) {
			if (now - worker.deadline() < 0) {
				continue;
			}
			if (worker.state() == WorkerState.STARTING) {
				kill(worker, now, "not ready after " + formatSeconds(now - worker.spawnedAt) + " > "
						+ formatSeconds(this.settings.timeouts().boot().toNanos()) + " (server.prefork.timeouts.boot)");
			}
			else if (worker.state() == WorkerState.STOPPING) {
				kill(worker, now, "still running at its stop deadline");
			}
			else if (worker.awaitsAcknowledgement()) {
				kill(worker, now, "no reply about connection " + worker.pendingConnection() + " within "
						+ formatSeconds(this.settings.timeouts().handoff().toNanos())
						+ " (server.prefork.timeouts.handoff)");
			}
		}
	}

	private void maintainPool(long now) {
		if (RespawnPolicy.shouldGiveUp(this.consecutiveBootFailures, this.anyWorkerEverReady)) {
			throw new PreforkException("No worker could start: " + this.consecutiveBootFailures
					+ " workers in a row exited or timed out before they were ready, and none ever was.",
					"Read the workers' output above for the cause (the application itself may fail to start), "
							+ "or allow more time with 'server.prefork.timeouts.boot'.",
					null);
		}
		for (int slot = 0; slot < this.workers.size(); slot++) {
			if (this.workers.inSlot(slot) == null && now - this.spawnNotBefore[slot] >= 0) {
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
		WorkerIdentity identity = new WorkerIdentity(slot, this.generations[slot], this.port,
				this.settings.dispatch());
		try {
			int pid = this.launcher.spawn(identity, pair[1].fd(), this.dispatcher.inheritedListenerFd());
			this.generations[slot]++;
			WorkerProcess worker = new WorkerProcess(slot, identity.generation(), pid, pair[0], now,
					now + this.settings.timeouts().boot().toNanos());
			this.workers.add(worker);
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

	/**
	 * Last resort on any exit path (including a crash of the loop or a {@code System.exit}
	 * elsewhere): no worker outlives the master.
	 */
	private void killSurvivors() {
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
			Master.this.kill(worker, now, reason);
		}

	}

	private record PollSet(int wakeup, int listener, Map<WorkerProcess, Integer> channels, int[] lingering) {
	}

}
