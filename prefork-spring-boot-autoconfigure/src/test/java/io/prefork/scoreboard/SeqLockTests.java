package io.prefork.scoreboard;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.LongConsumer;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SeqLockTests {

	private static final String[] STATES = { "starting", "idle", "busy", "stopping" };

	private static final Duration RUN_AT_LEAST = Duration.ofSeconds(1);

	private static final Duration RUN_AT_MOST = Duration.ofSeconds(15);

	private static final int DISTINCT_VALUES = 500;

	@Test
	void readersNeverSeeATornSection() throws Exception {
		try (Scoreboard master = Scoreboard.create(2); Scoreboard other = Scoreboard.open(master.file())) {
			Writers writers = new Writers();
			// The master's loop writes its row section and the header; a worker writes its section.
			writers.start("master", 1, 1, (i) -> {
				master.master(0).update((int) (i % 1000), 1 + (int) (i & 0x3fffffff), (int) (i * 7),
						STATES[(int) (i % 4)], i * 3, i * 5, (int) (i % 997), i);
				master.pool().add(PoolCounter.ACCEPTED, 1);
			});
			writers.start("worker", 1, 1, (i) -> master.worker(0).requests(i, (int) (i % 1000), "GET /" + i, i * 3));
			Set<Long> masterValues = new HashSet<>();
			Set<Long> workerValues = new HashSet<>();
			long accepted = 0;
			int snapshots = 0;
			try {
				long start = System.nanoTime();
				while (!done(start, masterValues, workerValues)) {
					ScoreboardSnapshot snapshot = ((snapshots++ % 2) == 0 ? master : other).snapshot();
					assertThat(snapshot.counter(PoolCounter.ACCEPTED)).isGreaterThanOrEqualTo(accepted);
					accepted = snapshot.counter(PoolCounter.ACCEPTED);
					for (ScoreboardSnapshot.Row row : snapshot.rows()) {
						assertConsistent(row);
						masterValues.add(row.connectionsHandedOver());
						workerValues.add(row.requestsServed());
					}
				}
			}
			finally {
				writers.stop();
			}
			assertThat(masterValues).hasSizeGreaterThanOrEqualTo(DISTINCT_VALUES);
			assertThat(workerValues).hasSizeGreaterThanOrEqualTo(DISTINCT_VALUES);
			assertThat(accepted).isPositive();
		}
	}

	// At least a second, then until both sections were seen with many values (a loaded
	// machine may run a writer rarely), within a deadline.
	private static boolean done(long start, Set<Long> masterValues, Set<Long> workerValues) {
		long elapsed = System.nanoTime() - start;
		boolean enough = masterValues.size() >= DISTINCT_VALUES && workerValues.size() >= DISTINCT_VALUES;
		return (elapsed > RUN_AT_LEAST.toNanos() && enough) || elapsed > RUN_AT_MOST.toNanos();
	}

	private static void assertConsistent(ScoreboardSnapshot.Row row) {
		long i = row.connectionsHandedOver();
		assertThat(row).as("master section from one write").satisfies((r) -> {
			assertThat(r.slot()).isEqualTo((int) (i % 1000));
			assertThat(r.pid()).isEqualTo(1 + (int) (i & 0x3fffffff));
			assertThat(r.generation()).isEqualTo((int) (i * 7));
			assertThat(r.state()).isEqualTo(STATES[(int) (i % 4)]);
			assertThat(r.startedAtEpochMillis()).isEqualTo(i * 3);
			assertThat(r.rssBytes()).isEqualTo(i * 5);
			assertThat(r.openConnections()).isEqualTo((int) (i % 997));
		});
		long j = row.requestsServed();
		if (j == 0) {
			assertThat(row.currentRequest()).isNull();
			assertThat(row.busyThreads()).isZero();
			assertThat(row.currentRequestStartedAtEpochMillis()).isZero();
			return;
		}
		assertThat(row).as("worker section from one write").satisfies((r) -> {
			assertThat(r.busyThreads()).isEqualTo((int) (j % 1000));
			assertThat(r.currentRequest()).isEqualTo("GET /" + j);
			assertThat(r.currentRequestStartedAtEpochMillis()).isEqualTo(j * 3);
		});
	}

	@Test
	void threadsOfOneWorkerTakeTurnsOnItsSection() throws Exception {
		try (Scoreboard scoreboard = Scoreboard.create(1)) {
			int writesPerThread = 200_000;
			Thread[] threads = new Thread[4];
			for (int t = 0; t < threads.length; t++) {
				threads[t] = new Thread(() -> {
					for (int i = 0; i < writesPerThread; i++) {
						scoreboard.worker(0).requests(i, 1, "GET /", 1);
					}
				}, "scoreboard-test-worker-" + t);
				threads[t].start();
			}
			for (Thread thread : threads) {
				thread.join();
			}
			// Each write moves the sequence by two; a write racing another would lose a step.
			ByteBuffer raw = RawMapping.map(scoreboard.file());
			assertThat((long) SeqLock.LONGS.get(raw, Layout.workerSection(0) + Layout.WORKER_SEQ))
				.isEqualTo(2L * threads.length * writesPerThread);
		}
	}

	@Test
	void aReaderTakesWhatAWriterThatDiedMidWriteLeft() throws IOException {
		try (Scoreboard scoreboard = Scoreboard.create(2)) {
			scoreboard.master(1).update(0, 42, 0, "busy", 1, 0, 0, 0);
			scoreboard.worker(1).requests(7, 1, "GET /hang", 5);
			ByteBuffer killedWorker = RawMapping.map(scoreboard.file());
			SeqLock.beginWrite(killedWorker, Layout.workerSection(1) + Layout.WORKER_SEQ);
			killedWorker.putLong(Layout.workerSection(1) + Layout.REQUESTS_SERVED, 8);
			assertThat(scoreboard.snapshot().rows()).singleElement().satisfies((row) -> {
				assertThat(row.pid()).isEqualTo(42);
				assertThat(row.requestsServed()).isEqualTo(8);
				assertThat(row.currentRequest()).isEqualTo("GET /hang");
			});
			scoreboard.worker(1).clear();
			assertThat((long) SeqLock.LONGS.get(killedWorker, Layout.workerSection(1) + Layout.WORKER_SEQ) % 2)
				.isZero();
		}
	}

	@Test
	void aWriteLeavesTheSequenceEvenAndLarger() throws IOException {
		try (Scoreboard scoreboard = Scoreboard.create(1)) {
			ByteBuffer raw = RawMapping.map(scoreboard.file());
			scoreboard.pool().add(PoolCounter.ACCEPTED, 1);
			scoreboard.pool().add(PoolCounter.ACCEPTED, 1);
			assertThat((long) SeqLock.LONGS.get(raw, Layout.HEADER_SEQ)).isEqualTo(4);
		}
	}

	private static final class Writers {

		private final List<Thread> threads = new ArrayList<>();

		private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();

		private volatile boolean stopped;

		void start(String name, long first, long step, LongConsumer write) {
			Thread thread = new Thread(() -> {
				try {
					for (long i = first; !this.stopped; i += step) {
						write.accept(i);
						if ((i & 0xff) == 0) {
							// Tight, but fair to the reader on a machine with few cores.
							Thread.yield();
						}
					}
				}
				catch (Throwable ex) {
					this.failures.add(ex);
				}
			}, "scoreboard-test-" + name);
			thread.setDaemon(true);
			thread.start();
			this.threads.add(thread);
		}

		void stop() throws InterruptedException {
			this.stopped = true;
			for (Thread thread : this.threads) {
				thread.join(10_000);
				assertThat(thread.isAlive()).as(thread.getName() + " stopped").isFalse();
			}
			assertThat(this.failures).isEmpty();
		}

	}

}
