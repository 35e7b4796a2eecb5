package io.prefork.scoreboard;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TextTests {

	@Test
	void encodesLikeTheJdkWhenItFits() {
		Random random = new Random(42);
		int[] pool = { 'a', '/', ' ', 0x7f, 0xe9, 0x7ff, 0x800, 0x20ac, 0xffff, 0x1f600, 0x10ffff };
		for (int n = 0; n < 1000; n++) {
			StringBuilder text = new StringBuilder();
			for (int i = random.nextInt(30); i > 0; i--) {
				text.appendCodePoint(pool[random.nextInt(pool.length)]);
			}
			byte[] expected = text.toString().getBytes(StandardCharsets.UTF_8);
			byte[] target = new byte[120];
			int length = Text.encodeUtf8(text, target);
			if (expected.length <= 120) {
				assertThat(Arrays.copyOf(target, length)).isEqualTo(expected);
			}
			else {
				assertThat(Arrays.copyOf(expected, length)).isEqualTo(Arrays.copyOf(target, length));
				assertThat(new String(target, 0, length, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8))
					.hasSize(length);
			}
		}
	}

	@Test
	void replacesUnpairedSurrogates() {
		byte[] target = new byte[10];
		int length = Text.encodeUtf8("a\uD83Db\uDE00", target);
		assertThat(new String(target, 0, length, StandardCharsets.UTF_8)).isEqualTo("a?b?");
	}

	@Test
	void stopsBeforeACharacterThatDoesNotFit() {
		byte[] target = new byte[3];
		assertThat(Text.encodeUtf8("a\u20ac", target)).isEqualTo(1);
		assertThat(Text.encodeUtf8("\u20ac", target)).isEqualTo(3);
	}

}
