package io.prefork.scoreboard;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class LayoutTests {

	@Test
	void theLayoutOfVersionTwoIsFrozen() {
		// Changing any of these numbers requires a new Layout.VERSION.
		assertThat(Layout.VERSION).isEqualTo(2);
		assertThat(Layout.HEADER_SIZE).isEqualTo(576);
		assertThat(Layout.MASTER_SECTION_SIZE).isEqualTo(128);
		assertThat(Layout.WORKER_SECTION_SIZE).isEqualTo(192);
		assertThat(Layout.ROW_SIZE).isEqualTo(320);
		assertThat(Layout.fileSize(2, 0)).isEqualTo(1216);
		assertThat(Layout.CONNECTIONS_PER_ROW).isEqualTo(36);
		assertThat(Layout.CONNECTION_ENTRY_SIZE).isEqualTo(16);
		assertThat(Layout.connectionTable(2, 10, 1)).isEqualTo(1216 + 160);
		assertThat(Layout.fileSize(2, 10)).isEqualTo(1216 + 320);
	}

	@Test
	void aScoreboardOver2GigabytesIsRefused() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> Layout.fileSize(Layout.MAX_ROWS, Layout.MAX_CONNECTIONS_PER_ROW))
			.withMessageContaining("over 2 GB");
	}

	@Test
	void everyLongIsAligned() {
		assertThat(List.of( Layout.MAGIC_OFFSET, Layout.HEADER_SEQ, Layout.STARTED_AT, Layout.COUNTERS,
				Layout.MASTER_SEQ, Layout.WORKER_STARTED_AT, Layout.RSS_BYTES, Layout.CONNECTIONS_HANDED_OVER,
				Layout.WORKER_SEQ, Layout.LAST_HEARTBEAT, Layout.REQUESTS_SERVED,
				Layout.CURRENT_REQUEST_STARTED_AT))
			.allSatisfy((offset) -> assertThat(offset % Long.BYTES).isZero());
		for (PoolCounter counter : PoolCounter.values()) {
			assertThat(Layout.counter(counter) % Long.BYTES).isZero();
		}
	}

	@Test
	void sectionsStartOnCacheLinesAndFieldsStayInsideThem() {
		assertThat(Layout.HEADER_SIZE % 64).isZero();
		assertThat(Layout.MASTER_SECTION_SIZE % 64).isZero();
		assertThat(Layout.ROW_SIZE % 64).isZero();
		assertThat(Layout.DISPATCH + Layout.DISPATCH_CAPACITY).isLessThanOrEqualTo(Layout.COUNTERS);
		assertThat(Layout.STATE + Layout.STATE_CAPACITY).isLessThanOrEqualTo(Layout.MASTER_SECTION_SIZE);
		assertThat(Layout.REQUEST + Layout.REQUEST_CAPACITY).isLessThanOrEqualTo(Layout.WORKER_SECTION_SIZE);
		assertThat(Layout.workerSection(3) - Layout.masterSection(3)).isEqualTo(Layout.MASTER_SECTION_SIZE);
		assertThat(Layout.masterSection(4) - Layout.workerSection(3)).isEqualTo(Layout.WORKER_SECTION_SIZE);
	}

	@Test
	void theHeaderHasRoomFor64Counters() {
		assertThat(Layout.COUNTER_CAPACITY).isEqualTo(64);
		assertThat(PoolCounter.values().length).isLessThanOrEqualTo(Layout.COUNTER_CAPACITY);
		assertThat(Layout.COUNTERS + Layout.COUNTER_CAPACITY * Long.BYTES).isEqualTo(Layout.HEADER_SIZE);
	}

}
