package io.prefork.pool;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.prefork.pool.RecyclePolicy.Recycle;

import static org.assertj.core.api.Assertions.assertThat;

class RecyclePolicyTests {

	private static final long MB = 1024 * 1024;

	private static final Duration YOUNG = Duration.ofMinutes(1);

	@Test
	void keepsAWorkerBelowMaxRequests() {
		assertThat(RecyclePolicy.reason(999, 1000, 0, 0, YOUNG, null)).isNull();
	}

	@Test
	void recyclesAWorkerThatReachedMaxRequests() {
		assertThat(RecyclePolicy.reason(1000, 1000, 0, 0, YOUNG, null))
			.isEqualTo(new Recycle(ExitCause.RECYCLED, "served 1000 requests, max-requests 1000"));
		assertThat(RecyclePolicy.reason(1005, 1000, 0, 0, YOUNG, null).cause()).isEqualTo(ExitCause.RECYCLED);
	}

	@Test
	void zeroMaxRequestsMeansNoLimit() {
		assertThat(RecyclePolicy.reason(0, 0, 0, 0, YOUNG, null)).isNull();
		assertThat(RecyclePolicy.reason(Long.MAX_VALUE, 0, 0, 0, YOUNG, null)).isNull();
	}

	@Test
	void recyclesAWorkerOverMaxRssWithCauseRss() {
		assertThat(RecyclePolicy.reason(0, 0, 300 * MB, 256 * MB, YOUNG, null))
			.isEqualTo(new Recycle(ExitCause.RSS, "RSS 300 MB > max-rss 256 MB"));
	}

	@Test
	void keepsAWorkerAtOrBelowMaxRss() {
		assertThat(RecyclePolicy.reason(0, 0, 256 * MB, 256 * MB, YOUNG, null)).isNull();
		assertThat(RecyclePolicy.reason(0, 0, 100 * MB, 256 * MB, YOUNG, null)).isNull();
	}

	@Test
	void zeroMaxRssMeansNoLimitAndZeroRssMeansUnknown() {
		assertThat(RecyclePolicy.reason(0, 0, 100_000 * MB, 0, YOUNG, null)).isNull();
		assertThat(RecyclePolicy.reason(0, 0, 0, 256 * MB, YOUNG, null)).isNull();
	}

	@Test
	void recyclesAWorkerThatReachedMaxAge() {
		assertThat(RecyclePolicy.reason(0, 0, 0, 0, Duration.ofHours(1), Duration.ofHours(1)))
			.isEqualTo(new Recycle(ExitCause.RECYCLED, "age 3600 s >= max-age 3600 s"));
		assertThat(RecyclePolicy.reason(0, 0, 0, 0, Duration.ofHours(2), Duration.ofHours(1)).cause())
			.isEqualTo(ExitCause.RECYCLED);
	}

	@Test
	void keepsAWorkerYoungerThanMaxAgeOrWithoutOne() {
		assertThat(RecyclePolicy.reason(0, 0, 0, 0, Duration.ofMinutes(59), Duration.ofHours(1))).isNull();
		assertThat(RecyclePolicy.reason(0, 0, 0, 0, Duration.ofDays(365), null)).isNull();
	}

	@Test
	void maxRequestsComesBeforeRssAndAge() {
		Recycle recycle = RecyclePolicy.reason(1000, 1000, 300 * MB, 256 * MB, Duration.ofHours(2),
				Duration.ofHours(1));
		assertThat(recycle.cause()).isEqualTo(ExitCause.RECYCLED);
		assertThat(recycle.description()).contains("max-requests");
	}

	@Test
	void rssComesBeforeAge() {
		Recycle recycle = RecyclePolicy.reason(10, 1000, 300 * MB, 256 * MB, Duration.ofHours(2), Duration.ofHours(1));
		assertThat(recycle.cause()).isEqualTo(ExitCause.RSS);
		assertThat(recycle.description()).contains("max-rss");
	}

	@Test
	void ageAppliesWhenNothingElseDoes() {
		Recycle recycle = RecyclePolicy.reason(10, 1000, 100 * MB, 256 * MB, Duration.ofHours(2), Duration.ofHours(1));
		assertThat(recycle.cause()).isEqualTo(ExitCause.RECYCLED);
		assertThat(recycle.description()).contains("max-age");
	}

	@Test
	void requestLimitWithoutJitterIsMaxRequests() {
		assertThat(RecyclePolicy.requestLimit(1000, 0, 0.0)).isEqualTo(1000);
		assertThat(RecyclePolicy.requestLimit(1000, 0, 0.999)).isEqualTo(1000);
	}

	@Test
	void requestLimitAddsJitterWithinBounds() {
		assertThat(RecyclePolicy.requestLimit(1000, 100, 0.0)).isEqualTo(1000);
		assertThat(RecyclePolicy.requestLimit(1000, 100, 0.5)).isBetween(1000L, 1100L);
		assertThat(RecyclePolicy.requestLimit(1000, 100, 0.999)).isEqualTo(1100);
	}

	@Test
	void requestLimitStaysWithinBoundsForEveryRandom() {
		for (int i = 0; i < 1000; i++) {
			double random = i / 1000.0;
			assertThat(RecyclePolicy.requestLimit(1000, 100, random)).as("random %s", random).isBetween(1000L, 1100L);
		}
	}

	@Test
	void noRequestLimitStaysNoneWhateverTheJitter() {
		assertThat(RecyclePolicy.requestLimit(0, 100, 0.0)).isZero();
		assertThat(RecyclePolicy.requestLimit(0, 100, 0.999)).isZero();
	}

}
