package io.prefork.routing;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SessionRouteTests {

	@Test
	void routeNamesTheSlot() {
		assertThat(SessionRoute.of(0)).isEqualTo("w0");
		assertThat(SessionRoute.of(12)).isEqualTo("w12");
	}

	@Test
	void slotComesFromTheSuffixAfterTheLastDot() {
		assertThat(SessionRoute.slotOf("0A1B2C.w0", 4)).isZero();
		assertThat(SessionRoute.slotOf("0A.1B.w3", 4)).isEqualTo(3);
		assertThat(SessionRoute.slotOf("0A1B2C.w12", 16)).isEqualTo(12);
	}

	@Test
	void idsWithoutOneOfOurRoutesHaveNoSlot() {
		assertThat(SessionRoute.slotOf("0A1B2C", 4)).isEqualTo(-1);
		assertThat(SessionRoute.slotOf("0A1B2C.", 4)).isEqualTo(-1);
		assertThat(SessionRoute.slotOf("0A1B2C.w", 4)).isEqualTo(-1);
		assertThat(SessionRoute.slotOf("0A1B2C.w4", 4)).as("beyond the pool").isEqualTo(-1);
		assertThat(SessionRoute.slotOf("0A1B2C.node1", 4)).isEqualTo(-1);
		assertThat(SessionRoute.slotOf("0A1B2C.w1x", 4)).isEqualTo(-1);
		assertThat(SessionRoute.slotOf("0A1B2C.w01", 4)).as("not how a slot is written").isEqualTo(-1);
		assertThat(SessionRoute.slotOf("0A1B2C.w-1", 4)).isEqualTo(-1);
		assertThat(SessionRoute.slotOf("0A1B2C.w99999999999", Integer.MAX_VALUE)).isEqualTo(-1);
		assertThat(SessionRoute.slotOf("", 4)).isEqualTo(-1);
	}

}
