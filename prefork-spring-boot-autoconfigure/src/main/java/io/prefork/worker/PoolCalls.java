package io.prefork.worker;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.prefork.protocol.Message;
import io.prefork.protocol.Message.PoolCallDone.Outcome;

/**
 * This worker's side of pool calls, both ways: it asks the master to run a request on every
 * other worker and collects their answers, and it runs the requests other workers send. A
 * request and each answer are files in the pool's private directory (the scoreboard's,
 * mode 0700), so answers of any size (a scrape) never pass through the master; only their
 * ids do. Requests run one at a time on a thread of their own, never on the control thread;
 * until the application registers its handler they are queued.
 */
public final class PoolCalls {

	private static final Log logger = LogFactory.getLog(PoolCalls.class);

	/** How long a caller waits for the master: its deadline for the workers, and a margin. */
	private static final long WAIT_MILLIS = Message.PoolCall.ANSWER_WITHIN_MILLIS + 2_000;

	private final Path directory;

	private final Consumer<Message> master;

	private final long pid = ProcessHandle.current().pid();

	private final AtomicInteger sequence = new AtomicInteger();

	private final Map<Long, CompletableFuture<Message.PoolCallDone>> waiting = new ConcurrentHashMap<>();

	private final ExecutorService runner;

	private final List<byte[]> queued = new ArrayList<>();

	private UnaryOperator<byte[]> handler;

	PoolCalls(Path directory, int slot, Consumer<Message> master) {
		this.directory = directory;
		this.master = master;
		this.runner = Executors.newSingleThreadExecutor((task) -> {
			Thread thread = new Thread(task, "prefork-worker-" + slot + "-pool-calls");
			thread.setDaemon(true);
			return thread;
		});
	}

	/**
	 * Run a request on every other worker of the pool and wait for their answers.
	 * @param request the request, for the other workers' handlers
	 * @return one answer per other worker, by slot
	 * @throws IOException if the request cannot be written or the master does not answer
	 */
	public List<Answer> call(byte[] request) throws IOException {
		long callId = (this.pid << 32) | (this.sequence.incrementAndGet() & 0xFFFF_FFFFL);
		CompletableFuture<Message.PoolCallDone> done = new CompletableFuture<>();
		this.waiting.put(callId, done);
		try {
			Files.write(requestFile(callId), request);
			this.master.accept(new Message.PoolCall(callId));
			Message.PoolCallDone answers = done.get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
			List<Answer> read = new ArrayList<>();
			for (Message.PoolCallDone.Answer answer : answers.answers()) {
				byte[] reply = (answer.outcome() == Outcome.ANSWERED) ? readIfPresent(answerFile(callId, answer.pid()))
						: null;
				read.add(new Answer(answer.slot(), answer.pid(), answer.outcome(), reply));
			}
			return read;
		}
		catch (ExecutionException | TimeoutException ex) {
			throw new IOException("The master did not finish pool call " + callId + " in time", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException("Interrupted while waiting for pool call " + callId, ex);
		}
		finally {
			this.waiting.remove(callId);
			removeFiles(callId);
		}
	}

	// The request goes first: a worker that answers late finds it gone and removes its own
	// answer, or wrote it before the sweep below finds it.
	private void removeFiles(long callId) {
		try {
			Files.deleteIfExists(requestFile(callId));
			try (DirectoryStream<Path> files = Files.newDirectoryStream(this.directory, name(callId) + ".*")) {
				for (Path file : files) {
					Files.deleteIfExists(file);
				}
			}
		}
		catch (IOException ex) {
			logger.debug("Cannot remove the files of pool call " + callId + ": " + ex.getMessage());
		}
	}

	/**
	 * Run the requests of other workers with this handler from now on, starting with the
	 * ones queued until now.
	 * @param handler turns a request into this worker's answer
	 */
	public void handleWith(UnaryOperator<byte[]> handler) {
		List<byte[]> backlog;
		synchronized (this.queued) {
			this.handler = handler;
			backlog = List.copyOf(this.queued);
			this.queued.clear();
		}
		this.runner.execute(() -> backlog.forEach((request) -> run(handler, request)));
	}

	void received(Message.PoolCall call) {
		this.runner.execute(() -> answer(call.callId()));
	}

	void done(Message.PoolCallDone done) {
		CompletableFuture<Message.PoolCallDone> waiter = this.waiting.get(done.callId());
		if (waiter != null) {
			waiter.complete(done);
		}
	}

	private void answer(long callId) {
		byte[] request = readIfPresent(requestFile(callId));
		if (request == null) {
			// The caller gave up already.
			return;
		}
		UnaryOperator<byte[]> current;
		synchronized (this.queued) {
			current = this.handler;
			if (current == null) {
				this.queued.add(request);
			}
		}
		if (current == null) {
			this.master.accept(new Message.PoolCallAnswered(callId, true));
			return;
		}
		byte[] reply = run(current, request);
		Path answer = answerFile(callId, this.pid);
		try {
			Path partial = this.directory.resolve(answer.getFileName() + ".partial");
			Files.write(partial, reply);
			Files.move(partial, answer, StandardCopyOption.ATOMIC_MOVE);
			if (!Files.exists(requestFile(callId))) {
				Files.deleteIfExists(answer);
			}
		}
		catch (IOException ex) {
			logger.warn("Cannot write the answer to pool call " + callId + ": " + ex.getMessage());
		}
		this.master.accept(new Message.PoolCallAnswered(callId, false));
	}

	private static byte[] run(UnaryOperator<byte[]> handler, byte[] request) {
		try {
			return handler.apply(request);
		}
		catch (RuntimeException ex) {
			logger.warn("A pool call failed in this worker", ex);
			return new byte[0];
		}
	}

	private static byte[] readIfPresent(Path file) {
		try {
			return Files.readAllBytes(file);
		}
		catch (NoSuchFileException ex) {
			return null;
		}
		catch (IOException ex) {
			logger.warn("Cannot read pool call file " + file + ": " + ex.getMessage());
			return null;
		}
	}

	private Path requestFile(long callId) {
		return this.directory.resolve(name(callId) + ".request");
	}

	private Path answerFile(long callId, long pid) {
		return this.directory.resolve(name(callId) + ".answer-" + pid);
	}

	private static String name(long callId) {
		return "call-" + Long.toHexString(callId);
	}

	/**
	 * One other worker's answer to a pool call.
	 *
	 * @param slot the worker's slot
	 * @param pid the worker's pid
	 * @param outcome what became of the call there
	 * @param reply its handler's answer when {@link Outcome#ANSWERED}, else {@code null}
	 */
	public record Answer(int slot, int pid, Outcome outcome, byte[] reply) {
	}

}
