package io.prefork.worker;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.prefork.protocol.Message;
import io.prefork.protocol.Message.PoolCallDone.Outcome;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two workers' pool calls in one JVM, with the test playing the master.
 */
class PoolCallsTests {

	private static final int PID = (int) ProcessHandle.current().pid();

	@TempDir
	Path directory;

	private final BlockingQueue<Message> fromTarget = new LinkedBlockingQueue<>();

	private PoolCalls caller;

	@Test
	void theCallerGetsEachAnswerAndLeavesNoFileBehind() throws Exception {
		PoolCalls target = new PoolCalls(this.directory, 1, this.fromTarget::add);
		target.handleWith((request) -> ("answer to " + new String(request, StandardCharsets.UTF_8))
			.getBytes(StandardCharsets.UTF_8));
		this.caller = new PoolCalls(this.directory, 0, (message) -> relay(message, target));
		List<PoolCalls.Answer> answers = this.caller.call("scrape".getBytes(StandardCharsets.UTF_8));
		assertThat(answers).hasSize(1);
		assertThat(answers.get(0).outcome()).isEqualTo(Outcome.ANSWERED);
		assertThat(new String(answers.get(0).reply(), StandardCharsets.UTF_8)).isEqualTo("answer to scrape");
		try (var files = Files.list(this.directory)) {
			assertThat(files).isEmpty();
		}
	}

	@Test
	void aWorkerWithoutItsHandlerYetQueuesTheCallAndRunsItOnceItHasOne() throws Exception {
		PoolCalls target = new PoolCalls(this.directory, 1, this.fromTarget::add);
		Files.write(this.directory.resolve("call-7.request"), "evict".getBytes(StandardCharsets.UTF_8));
		target.received(new Message.PoolCall(7));
		assertThat(this.fromTarget.poll(10, TimeUnit.SECONDS)).isEqualTo(new Message.PoolCallAnswered(7, true));
		BlockingQueue<String> ran = new LinkedBlockingQueue<>();
		target.handleWith((request) -> {
			ran.add(new String(request, StandardCharsets.UTF_8));
			return new byte[0];
		});
		assertThat(ran.poll(10, TimeUnit.SECONDS)).isEqualTo("evict");
	}

	// The master: passes the call to the target, and tells the caller once it answered.
	private void relay(Message message, PoolCalls target) {
		if (message instanceof Message.PoolCall call) {
			target.received(call);
			new Thread(() -> {
				try {
					Message answered = this.fromTarget.poll(10, TimeUnit.SECONDS);
					assertThat(answered).isEqualTo(new Message.PoolCallAnswered(call.callId(), false));
					this.caller.done(new Message.PoolCallDone(call.callId(),
							List.of(new Message.PoolCallDone.Answer(1, PID, Outcome.ANSWERED))));
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}).start();
		}
	}

}
