package io.prefork.master;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.prefork.pool.ExitStatus;
import io.prefork.posix.Pipe;
import io.prefork.posix.Poller;
import io.prefork.posix.PosixException;
import io.prefork.posix.ProcessSpawner;
import io.prefork.posix.Processes;

/**
 * The zero-downtime upgrade (SIGUSR2), seen from the old master: it starts a new master
 * with this one's command line as started (so a jar replaced at the same path is the new
 * code) and environment, handing it the listening sockets and a pipe, and watches it until
 * it says on the pipe that its first workers are ready; the loop then hands over. A new
 * master that exits first, or is not ready within {@code server.prefork.timeouts.upgrade},
 * is stopped (SIGINT, its quick stop; SIGKILL if it lingers) and reaped, and this master
 * keeps serving. One at a time.
 */
final class Upgrade {

	private static final Log logger = LogFactory.getLog(Upgrade.class);

	/** How long a new master that is told to stop may take before it is killed. */
	private static final long STOP_GRACE_NANOS = TimeUnit.SECONDS.toNanos(10);

	private final Duration timeout;

	private final byte[] buffer = new byte[16];

	private Attempt attempt;

	Upgrade(Duration timeout) {
		this.timeout = timeout;
	}

	/**
	 * Start a new master, unless one is starting already or this master cannot be replaced.
	 * @param application the application's listening socket
	 * @param management the management port's listening socket, or {@code -1}
	 * @param now the current nanoTime
	 */
	void start(int application, int management, long now) {
		if (this.attempt != null) {
			logger.info("SIGUSR2 ignored: the new master pid " + this.attempt.pid + " is starting");
			return;
		}
		String obstacle = obstacle();
		if (obstacle != null) {
			logger.warn("SIGUSR2 ignored: cannot upgrade, " + obstacle);
			return;
		}
		List<String> argv = new ArrayList<>(List.of(ProcessHandle.current().info().command().get()));
		List<String> original = LeanMaster.originalCommandLine().get();
		argv.addAll(original.subList(1, original.size()));
		List<Integer> fds = new ArrayList<>(List.of(application));
		List<String> names = new ArrayList<>(List.of("application"));
		if (management >= 0) {
			fds.add(management);
			names.add(SocketActivation.MANAGEMENT);
		}
		Pipe pipe = null;
		try {
			pipe = Pipe.open();
			fds.add(pipe.writeFd());
			int pid = ProcessSpawner.spawnInheriting(argv, UpgradeHandover.environment(System.getenv(),
					LeanMaster.masterOnlyVariables(), ProcessHandle.current().pid(), names), fds);
			pipe.closeWriteEnd();
			this.attempt = new Attempt(pid, pipe, now, now + this.timeout.toNanos());
			// The arguments may hold secrets (--spring.datasource.password=…): debug only, as for workers.
			logger.info("SIGUSR2: upgrading: started a new master, pid " + pid + ", with this master's command line; "
					+ "it gets the listening sockets, and this master hands over once its workers are ready (within "
					+ this.timeout.toSeconds() + " s, server.prefork.timeouts.upgrade)");
			logger.debug("New master's command line: " + argv);
		}
		catch (PosixException ex) {
			if (pipe != null) {
				pipe.close();
			}
			logger.error("SIGUSR2: cannot start a new master (" + ex.getMessage() + "); this master keeps serving");
		}
	}

	// As PID 1 the old master's exit would end the container (or the namespace) and with
	// it the new master.
	private static String obstacle() {
		if (ProcessHandle.current().pid() == 1) {
			return "this master is PID 1 (a container), which ends when it exits; roll out a new container instead";
		}
		if (ProcessHandle.current().info().command().isEmpty()) {
			return "the path of the running java executable is unknown";
		}
		if (LeanMaster.originalCommandLine().isEmpty()) {
			return "/proc/self/cmdline cannot be read";
		}
		return null;
	}

	/**
	 * Whether a new master is starting, which must not outlive this one.
	 * @return {@code true} until it has handed over or is reaped
	 */
	boolean underWay() {
		return this.attempt != null;
	}

	/**
	 * Poll the pipe while the new master may still report.
	 * @param poller the poller
	 * @return the index {@link #supervise} gets back, or {@code -1}
	 */
	int register(Poller poller) {
		return (this.attempt != null && !this.attempt.pipeClosed) ? poller.add(this.attempt.pipe.readFd()) : -1;
	}

	/**
	 * Return the earlier of a deadline and the new master's.
	 * @param next the deadline so far
	 * @return the earlier one
	 */
	long nextDeadline(long next) {
		return (this.attempt != null) ? Dispatcher.earlier(next, this.attempt.deadline) : next;
	}

	/**
	 * Take a reaped child if it is the new master.
	 * @param pid the child
	 * @param waitStatus its raw wait status
	 * @return {@code true} if it was
	 */
	boolean reaped(int pid, int waitStatus) {
		if (this.attempt == null || this.attempt.pid != pid) {
			return false;
		}
		this.attempt.exit = ExitStatus.fromWaitStatus(waitStatus);
		return true;
	}

	/**
	 * One step of the loop: read the pipe, report an exit, enforce the deadline.
	 * @param readable whether the pipe polled readable
	 * @param now the current nanoTime
	 * @return the new master's pid once it is ready and this master should hand over, else
	 * {@code -1}
	 */
	int supervise(boolean readable, long now) {
		Attempt current = this.attempt;
		if (current == null) {
			return -1;
		}
		if (current.exit != null) {
			failed(current, now);
			return -1;
		}
		if (readable && !current.pipeClosed) {
			int read = current.pipe.readNow(this.buffer);
			if (read > 0 && current.stopReason == null) {
				current.pipe.close();
				this.attempt = null;
				return current.pid;
			}
			// EOF without a word: it is exiting, and is reaped soon; stop polling it.
			current.pipeClosed = read == 0;
		}
		if (now - current.deadline >= 0) {
			enforceDeadline(current, now);
		}
		return -1;
	}

	private void enforceDeadline(Attempt current, long now) {
		if (current.stopReason == null) {
			stop(current, "was not ready after " + seconds(now - current.startedAt) + " > " + this.timeout.toSeconds()
					+ " s (server.prefork.timeouts.upgrade)", now);
		}
		else {
			logger.warn("Upgrade: the new master pid " + current.pid + " is still running " + seconds(STOP_GRACE_NANOS)
					+ " after SIGINT; killing it");
			Processes.kill(current.pid);
			current.deadline = now + STOP_GRACE_NANOS;
		}
	}

	/**
	 * Stop the new master: this master is stopping, and it must not be left alone.
	 * @param why why, for the log
	 * @param now the current nanoTime
	 */
	void abort(String why, long now) {
		if (this.attempt != null && this.attempt.stopReason == null) {
			stop(this.attempt, "is stopped because " + why, now);
		}
	}

	private static void stop(Attempt current, String reason, long now) {
		current.stopReason = reason;
		current.deadline = now + STOP_GRACE_NANOS;
		logger.warn("Upgrade: the new master pid " + current.pid + " " + reason + "; stopping it (SIGINT)");
		// A quick stop: it has served nothing, and its workers need not drain.
		Processes.interrupt(current.pid);
	}

	private void failed(Attempt current, long now) {
		current.pipe.close();
		this.attempt = null;
		String outcome = "the new master pid " + current.pid + " " + current.exit.describe() + " after "
				+ seconds(now - current.startedAt);
		if (current.stopReason != null) {
			logger.error("Upgrade failed: " + outcome + "; it " + current.stopReason
					+ "; this master keeps serving");
		}
		else {
			logger.error("Upgrade failed: " + outcome + ", before its workers were ready (see its output above); "
					+ "this master keeps serving");
		}
	}

	/**
	 * Last resort on any exit path: kill a new master that has not taken over, and wait
	 * for it (its workers exit when their control channel closes).
	 */
	void killNow() {
		Attempt current = this.attempt;
		if (current != null && current.exit == null) {
			Processes.kill(current.pid);
			Processes.awaitExit(current.pid);
			this.attempt = null;
		}
	}

	private static String seconds(long nanos) {
		return String.format("%.1f s", nanos / 1e9);
	}

	private static final class Attempt {

		final int pid;

		final Pipe pipe;

		final long startedAt;

		long deadline;

		boolean pipeClosed;

		String stopReason;

		ExitStatus exit;

		Attempt(int pid, Pipe pipe, long startedAt, long deadline) {
			this.pid = pid;
			this.pipe = pipe;
			this.startedAt = startedAt;
			this.deadline = deadline;
		}

	}

}
