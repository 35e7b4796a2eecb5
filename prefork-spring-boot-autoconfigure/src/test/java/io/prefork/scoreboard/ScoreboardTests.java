package io.prefork.scoreboard;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class ScoreboardTests {

	private Scoreboard scoreboard;

	@BeforeEach
	void create() throws IOException {
		this.scoreboard = Scoreboard.create(4);
	}

	@AfterEach
	void close() {
		this.scoreboard.close();
	}

	@Test
	void roundTripsEveryField() {
		write(this.scoreboard);
		assertWritten(this.scoreboard.snapshot());
	}

	@Test
	void aSecondMappingSeesTheWritesOfTheFirstAndTheOtherWayRound() throws IOException {
		try (Scoreboard opened = Scoreboard.open(this.scoreboard.file())) {
			assertThat(opened.rows()).isEqualTo(4);
			assertThat(opened.file()).isEqualTo(this.scoreboard.file());
			write(this.scoreboard);
			assertWritten(opened.snapshot());
			opened.worker(2).requests(99, 1, "POST /orders", 1_700_000_000_999L);
			assertThat(this.scoreboard.snapshot().rows().get(0)).satisfies((row) -> {
				assertThat(row.requestsServed()).isEqualTo(99);
				assertThat(row.currentRequest()).isEqualTo("POST /orders");
			});
		}
	}

	@Test
	void leavesOutFreeRowsAndKeepsRowOrder() {
		this.scoreboard.master(3).update(1, 300, 0, "idle", 1, 0, 0, 0);
		this.scoreboard.master(1).update(0, 100, 0, "busy", 1, 0, 0, 0);
		assertThat(this.scoreboard.snapshot().rows()).extracting(ScoreboardSnapshot.Row::row).containsExactly(1, 3);
		this.scoreboard.master(1).clear();
		this.scoreboard.worker(1).clear();
		assertThat(this.scoreboard.snapshot().rows()).extracting(ScoreboardSnapshot.Row::pid).containsExactly(300);
	}

	@Test
	void anEmptyScoreboardHasZeroCountersNoDispatchAndNoRows() {
		ScoreboardSnapshot snapshot = this.scoreboard.snapshot();
		assertThat(snapshot.startedAtEpochMillis()).isZero();
		assertThat(snapshot.dispatch()).isNull();
		assertThat(snapshot.counters()).hasSize(PoolCounter.values().length).containsOnlyKeys(PoolCounter.values());
		assertThat(snapshot.counters().values()).containsOnly(0L);
		assertThat(snapshot.rows()).isEmpty();
	}

	@Test
	void handsOutOneSectionPerRowSoThatWorkerUpdatesSynchronizeOnIt() {
		assertThat(this.scoreboard.worker(1)).isSameAs(this.scoreboard.worker(1));
		assertThat(this.scoreboard.master(1)).isSameAs(this.scoreboard.master(1));
		assertThat(this.scoreboard.worker(1)).isNotSameAs(this.scoreboard.worker(2));
	}

	@Test
	void rejectsRowsOutOfRange() {
		assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> this.scoreboard.worker(4));
		assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> this.scoreboard.master(-1));
		assertThatIllegalArgumentException().isThrownBy(() -> Scoreboard.create(0)).withMessageContaining("rows");
	}

	@Test
	void createsAPrivateDirectoryAndFile() throws IOException {
		Path file = this.scoreboard.file();
		assertThat(file.getFileName()).hasToString("scoreboard");
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())))
			.isEqualTo("rwx------");
		assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
		assertThat(Files.size(file)).isEqualTo(Layout.fileSize(4, 0));
	}

	@Test
	void closingTheCreatorDeletesTheFileAndTheDirectory() {
		Path file = this.scoreboard.file();
		this.scoreboard.close();
		assertThat(file).doesNotExist();
		assertThat(file.getParent()).doesNotExist();
		assertThatIllegalStateException().isThrownBy(this.scoreboard::snapshot).withMessageContaining("closed");
		this.scoreboard.close();
	}

	@Test
	void closingAnOpenerDeletesNothing() throws IOException {
		Scoreboard opened = Scoreboard.open(this.scoreboard.file());
		opened.close();
		assertThat(this.scoreboard.file()).exists();
		this.scoreboard.pool().add(PoolCounter.ACCEPTED, 1);
		assertThat(this.scoreboard.snapshot().counter(PoolCounter.ACCEPTED)).isEqualTo(1);
	}

	@Test
	void openRejectsAFileThatIsNotAScoreboard(@TempDir Path directory) throws IOException {
		Path file = Files.write(directory.resolve("other"), new byte[Layout.fileSize(1, 0)]);
		assertThatExceptionOfType(IOException.class).isThrownBy(() -> Scoreboard.open(file))
			.withMessageContaining("not a prefork scoreboard")
			.withMessageContaining("magic number 0x0");
	}

	@Test
	void openRejectsAFileTooShortForTheHeader(@TempDir Path directory) throws IOException {
		Path file = Files.writeString(directory.resolve("other"), "hello");
		assertThatExceptionOfType(IOException.class).isThrownBy(() -> Scoreboard.open(file))
			.withMessageContaining("not a prefork scoreboard")
			.withMessageContaining("magic number");
	}

	@Test
	void openRejectsAnotherLayoutVersion(@TempDir Path directory) throws IOException {
		Path copy = copyWith(directory, Layout.VERSION_OFFSET, Layout.VERSION + 1, Layout.fileSize(4, 0));
		assertThatExceptionOfType(IOException.class).isThrownBy(() -> Scoreboard.open(copy))
			.withMessageContaining("layout version " + (Layout.VERSION + 1))
			.withMessageContaining("reads version " + Layout.VERSION);
	}

	@Test
	void openRejectsATruncatedScoreboard(@TempDir Path directory) throws IOException {
		Path copy = copyWith(directory, Layout.ROWS_OFFSET, 4, Layout.fileSize(3, 0));
		assertThatExceptionOfType(IOException.class).isThrownBy(() -> Scoreboard.open(copy))
			.withMessageContaining("truncated");
	}

	private Path copyWith(Path directory, int intOffset, int value, int size) throws IOException {
		byte[] bytes = Files.readAllBytes(this.scoreboard.file());
		ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()).putInt(intOffset, value);
		return Files.write(directory.resolve("copy"), Arrays.copyOf(bytes, size));
	}

	static void write(Scoreboard scoreboard) {
		PoolCounters pool = scoreboard.pool();
		pool.started(1_700_000_000_000L, "pass-fd");
		for (PoolCounter counter : PoolCounter.values()) {
			pool.set(counter, 1000 + counter.ordinal());
		}
		scoreboard.master(2).update(1, 4242, 3, "busy", 1_700_000_000_100L, 123_456_789L, 2, 77);
		scoreboard.worker(2).heartbeat(1_700_000_000_500L, 40);
		scoreboard.worker(2).requests(41, 2, "GET /sleep", 1_700_000_000_400L);
	}

	static void assertWritten(ScoreboardSnapshot snapshot) {
		assertThat(snapshot.startedAtEpochMillis()).isEqualTo(1_700_000_000_000L);
		assertThat(snapshot.dispatch()).isEqualTo("pass-fd");
		for (PoolCounter counter : PoolCounter.values()) {
			assertThat(snapshot.counter(counter)).as(counter.name()).isEqualTo(1000 + counter.ordinal());
		}
		assertThat(snapshot.rows()).containsExactly(new ScoreboardSnapshot.Row(2, 1, 4242, 3, "busy",
				1_700_000_000_100L, 123_456_789L, 2, 77, 41, 2, 1_700_000_000_500L, "GET /sleep", 1_700_000_000_400L));
	}

}
