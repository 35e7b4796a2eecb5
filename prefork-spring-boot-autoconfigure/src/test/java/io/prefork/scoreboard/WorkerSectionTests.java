package io.prefork.scoreboard;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class WorkerSectionTests {

	private Scoreboard scoreboard;

	private WorkerSection section;

	@BeforeEach
	void create() throws IOException {
		this.scoreboard = Scoreboard.create(1);
		this.scoreboard.master(0).update(0, 42, 0, "busy", 1, 0, 0, 0);
		this.section = this.scoreboard.worker(0);
	}

	@AfterEach
	void close() {
		this.scoreboard.close();
	}

	@Test
	void keepsARequestOfExactly120Bytes() {
		String request = "GET /" + "a".repeat(115);
		this.section.requests(1, 1, request, 5);
		assertThat(row().currentRequest()).isEqualTo(request);
	}

	@Test
	void truncatesAtACharacterBoundaryWithin120Bytes() {
		// 5 + 57 * 2 = 119 bytes; the next two-byte character would make 121.
		String twoByte = "GET /" + "\u00e9".repeat(60);
		this.section.requests(1, 1, twoByte, 5);
		assertThat(row().currentRequest()).isEqualTo("GET /" + "\u00e9".repeat(57));
		// 5 + 28 * 4 = 117 bytes; a surrogate pair is never split.
		String fourByte = "GET /" + "\uD83D\uDE00".repeat(40);
		this.section.requests(1, 1, fourByte, 5);
		assertThat(row().currentRequest()).isEqualTo("GET /" + "\uD83D\uDE00".repeat(28));
		// 6 + 38 * 3 = 120 bytes exactly.
		String threeByte = "GET /x" + "\u20ac".repeat(50);
		this.section.requests(1, 1, threeByte, 5);
		assertThat(row().currentRequest()).isEqualTo("GET /x" + "\u20ac".repeat(38));
		assertThat(row().currentRequest().getBytes(StandardCharsets.UTF_8)).hasSize(120);
	}

	@Test
	void nullOrEmptyClearsTheRequestAndItsStart() {
		this.section.requests(3, 1, "GET /sleep", 1234);
		this.section.requests(4, 0, null, 1234);
		assertThat(row().currentRequest()).isNull();
		assertThat(row().currentRequestStartedAtEpochMillis()).isZero();
		assertThat(row().requestsServed()).isEqualTo(4);
		this.section.requests(4, 1, "GET /sleep", 1234);
		this.section.requests(5, 0, "", 1234);
		assertThat(row().currentRequest()).isNull();
		assertThat(row().currentRequestStartedAtEpochMillis()).isZero();
	}

	@Test
	void heartbeatKeepsTheRequest() {
		this.section.requests(3, 1, "GET /sleep", 1234);
		this.section.heartbeat(9999, 3);
		assertThat(row().lastHeartbeatEpochMillis()).isEqualTo(9999);
		assertThat(row().currentRequest()).isEqualTo("GET /sleep");
	}

	@Test
	void clearZeroesEveryField() {
		this.section.heartbeat(9999, 3);
		this.section.requests(3, 1, "GET /sleep", 1234);
		this.section.clear();
		assertThat(row()).isEqualTo(new ScoreboardSnapshot.Row(0, 0, 42, 0, "busy", 1, 0, 0, 0, 0, 0, 0, null, 0));
	}

	@Test
	void clearRepairsASectionLeftMidWriteByAKilledWorker() {
		ByteBuffer killedWorker = RawMapping.map(this.scoreboard.file());
		int seq = Layout.workerSection(0) + Layout.WORKER_SEQ;
		SeqLock.beginWrite(killedWorker, seq);
		this.section.clear();
		this.section.requests(1, 1, "GET /", 2);
		assertThat(row().requestsServed()).isEqualTo(1);
		assertThat((long) SeqLock.LONGS.get(killedWorker, seq) % 2).isZero();
	}

	private ScoreboardSnapshot.Row row() {
		return this.scoreboard.snapshot().rows().get(0);
	}

}
