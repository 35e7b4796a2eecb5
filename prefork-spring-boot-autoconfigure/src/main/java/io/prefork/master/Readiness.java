package io.prefork.master;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.prefork.PreforkException;
import io.prefork.posix.FileDescriptors;
import io.prefork.posix.PosixException;

/**
 * Announces, once, that this master serves: when its initial pool is ready it tells the
 * service manager ({@code READY=1}), or, for the new master of an upgrade, tells the old
 * master over the pipe it was handed, which then hands over (and moves the service
 * manager's main pid itself: the new master is not yet the one it listens to). The pid file
 * names a master from its start, and the new master of an upgrade from its readiness on.
 */
final class Readiness {

	private static final Log logger = LogFactory.getLog(Readiness.class);

	private static final byte[] READY = { 'R' };

	private final ServiceManager serviceManager;

	private final PidFile pidFile;

	private final UpgradeHandover handover;

	private boolean announced;

	Readiness(ServiceManager serviceManager, PidFile pidFile, UpgradeHandover handover) {
		this.serviceManager = serviceManager;
		this.pidFile = pidFile;
		this.handover = handover;
		if (handover.any()) {
			try {
				// Its own children (workers, the training run) must not hold it open.
				FileDescriptors.closeOnExec(handover.readyFd());
			}
			catch (PosixException ex) {
				logger.warn("The readiness pipe of the upgrade from pid " + handover.oldMaster()
						+ " is unusable (" + ex.getMessage() + "); the old master will give up on this one");
			}
		}
	}

	/**
	 * Report that the master starts: a master of its own names itself in the pid file.
	 * @throws PreforkException if the pid file cannot be written
	 */
	void starting() {
		if (this.handover.any()) {
			logger.info("Upgrade: this master takes over the listening sockets of pid " + this.handover.oldMaster()
					+ ", which hands over once this one's workers are ready");
		}
		else {
			this.pidFile.write();
		}
	}

	/**
	 * Whether the master may accept connections: the new master of an upgrade only once it
	 * has announced itself. Until then the old master serves them all; the new one would
	 * only queue them (and turn probes away) while its workers boot.
	 * @return {@code true} if it may poll its listening sockets
	 */
	boolean mayAccept() {
		return this.announced || !this.handover.any();
	}

	/**
	 * Announce readiness once, when enough workers serve.
	 * @param serving the workers serving now
	 * @param initial the workers the initial pool has
	 * @param where where the master listens, for the status line
	 */
	void workersServing(int serving, int initial, String where) {
		if (this.announced || serving < initial) {
			return;
		}
		this.announced = true;
		if (!this.handover.any()) {
			this.serviceManager.ready("Serving " + where + " with " + serving + " workers");
			return;
		}
		try {
			this.pidFile.write();
		}
		catch (PreforkException ex) {
			logger.error(ex.getMessage());
		}
		boolean told = FileDescriptors.writeToPipe(this.handover.readyFd(), READY);
		FileDescriptors.close(this.handover.readyFd());
		if (told) {
			logger.info("Upgrade: " + serving + " workers ready; the old master pid " + this.handover.oldMaster()
					+ " stops accepting and drains");
		}
		else {
			logger.warn("Upgrade: cannot tell the old master pid " + this.handover.oldMaster()
					+ " that this one is ready; both serve until it gives up and stops this one");
		}
	}

}
