package io.prefork.master;

import java.util.Collection;
import java.util.function.IntSupplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.prefork.pool.WorkerState;
import io.prefork.posix.Processes;

/**
 * SIGUSR1, the signal logrotate sends nginx, gunicorn and unicorn after moving their logs:
 * the master reopens its own log files and relays the signal to every worker that has
 * started. A worker still booting is skipped: until its handler is installed SIGUSR1 would
 * end its JVM, and it opens its log files after the rotation anyway.
 */
final class LogReopening {

	private static final Log logger = LogFactory.getLog(LogReopening.class);

	private final IntSupplier reopener;

	LogReopening(IntSupplier reopener) {
		this.reopener = reopener;
	}

	void reopen(Collection<WorkerProcess> workers) {
		int files = this.reopener.getAsInt();
		int relayed = 0;
		for (WorkerProcess worker : workers) {
			if (worker.state() != WorkerState.STARTING && worker.state() != WorkerState.DEAD) {
				Processes.reopenLogs(worker.pid);
				relayed++;
			}
		}
		logger.info("SIGUSR1: reopened " + files + " log file(s) of the master, relayed to " + relayed + " worker(s)");
	}

}
