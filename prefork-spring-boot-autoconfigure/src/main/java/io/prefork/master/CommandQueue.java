package io.prefork.master;

import java.util.concurrent.ConcurrentLinkedQueue;

import io.prefork.posix.WakeupPipe;

/**
 * The only way other threads talk to the master loop: they enqueue a command and wake the
 * loop; the loop alone acts on it.
 */
final class CommandQueue {

	private final ConcurrentLinkedQueue<MasterCommand> commands = new ConcurrentLinkedQueue<>();

	private final WakeupPipe wakeup;

	CommandQueue(WakeupPipe wakeup) {
		this.wakeup = wakeup;
	}

	void submit(MasterCommand command) {
		this.commands.add(command);
		this.wakeup.wake();
	}

	MasterCommand poll() {
		return this.commands.poll();
	}

}
