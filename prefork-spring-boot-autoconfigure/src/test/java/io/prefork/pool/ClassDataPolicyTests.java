package io.prefork.pool;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.prefork.pool.ClassDataPolicy.CachedArchive;

import static org.assertj.core.api.Assertions.assertThat;

class ClassDataPolicyTests {

	private static final Duration FIRST = Duration.ofSeconds(30);

	private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

	@Test
	void retriesAfterThirtySecondsThenSixtyThenGivesUpAfterThreeRuns() {
		assertThat(ClassDataPolicy.retryDelay(1, FIRST)).isEqualTo(Duration.ofSeconds(30));
		assertThat(ClassDataPolicy.retryDelay(2, FIRST)).isEqualTo(Duration.ofSeconds(60));
		assertThat(ClassDataPolicy.retryDelay(3, FIRST)).isNull();
		assertThat(ClassDataPolicy.retryDelay(100, FIRST)).isNull();
	}

	@Test
	void retryDelayScalesWithTheFirstDelay() {
		assertThat(ClassDataPolicy.retryDelay(1, Duration.ofMillis(500))).isEqualTo(Duration.ofMillis(500));
		assertThat(ClassDataPolicy.retryDelay(2, Duration.ofMillis(500))).isEqualTo(Duration.ofSeconds(1));
	}

	@Test
	void aDueRetryWaitsWhileWorkersBoot() {
		assertThat(ClassDataPolicy.mayRetry(100, 200, 0)).as("not due").isFalse();
		assertThat(ClassDataPolicy.mayRetry(200, 200, 0)).isTrue();
		assertThat(ClassDataPolicy.mayRetry(300, 200, 1)).as("a worker boots").isFalse();
		assertThat(ClassDataPolicy.mayRetry(Long.MIN_VALUE + 10, Long.MAX_VALUE - 10, 0)).as("nanoTime wraps")
			.isTrue();
	}

	@Test
	void aTemporaryFileIsStaleOnceItsMasterIsGoneOrAfterAnHour() {
		assertThat(ClassDataPolicy.isStaleTemporaryFile(true, Duration.ofMinutes(5))).isFalse();
		assertThat(ClassDataPolicy.isStaleTemporaryFile(false, Duration.ofMinutes(5))).isTrue();
		assertThat(ClassDataPolicy.isStaleTemporaryFile(true, Duration.ofMinutes(61))).as("pid reused").isTrue();
	}

	@Test
	void keepsTheCurrentArchiveHoweverOld() {
		List<CachedArchive> archives = List.of(archive("current", 400), archive("other", 1));
		assertThat(ClassDataPolicy.archivesToDelete(archives, "current", NOW)).isEmpty();
	}

	@Test
	void deletesArchivesUnusedForThirtyDays() {
		List<CachedArchive> archives = List.of(archive("current", 0), archive("recent", 29), archive("old", 31));
		assertThat(ClassDataPolicy.archivesToDelete(archives, "current", NOW)).containsExactly("old");
	}

	@Test
	void keepsAtMostFiveArchivesTheLeastRecentlyUsedGoFirst() {
		List<CachedArchive> archives = new ArrayList<>();
		for (int days = 1; days <= 7; days++) {
			archives.add(archive("a" + days, days));
		}
		archives.add(archive("current", 20));
		assertThat(ClassDataPolicy.archivesToDelete(archives, "current", NOW)).containsExactly("a5", "a6", "a7");
	}

	@Test
	void leavesRoomForTheCurrentArchiveBeforeItIsTrained() {
		List<CachedArchive> archives = new ArrayList<>();
		for (int days = 1; days <= 6; days++) {
			archives.add(archive("a" + days, days));
		}
		assertThat(ClassDataPolicy.archivesToDelete(archives, "current", NOW)).containsExactly("a5", "a6");
	}

	private static CachedArchive archive(String name, int daysAgo) {
		return new CachedArchive(name, NOW.minus(Duration.ofDays(daysAgo)));
	}

}
