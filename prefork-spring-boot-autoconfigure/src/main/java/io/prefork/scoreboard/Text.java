package io.prefork.scoreboard;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Text fields of the scoreboard: length-prefixed bytes in a fixed-size area.
 */
final class Text {

	private Text() {
	}

	/**
	 * Check that a value fits an ASCII field, before a write starts.
	 * @param value the value
	 * @param capacity the field's size in bytes
	 * @param field names the field for the error message
	 * @throws IllegalArgumentException if it does not fit or is not printable ASCII
	 */
	static void checkAscii(String value, int capacity, String field) {
		if (value == null) {
			throw new IllegalArgumentException(field + " must not be null");
		}
		if (value.length() > capacity) {
			throw new IllegalArgumentException(field + " '" + value + "' is longer than " + capacity + " characters");
		}
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if (c < 0x20 || c > 0x7e) {
				throw new IllegalArgumentException(field + " '" + value + "' is not printable ASCII");
			}
		}
	}

	/**
	 * Write a value checked by {@link #checkAscii}.
	 * @param buffer the mapped file
	 * @param offset where the field's bytes start
	 * @param value the value
	 * @return the number of bytes written
	 */
	static int putAscii(ByteBuffer buffer, int offset, String value) {
		for (int i = 0; i < value.length(); i++) {
			buffer.put(offset + i, (byte) value.charAt(i));
		}
		return value.length();
	}

	/**
	 * Encode as UTF-8 as far as whole characters fit, without allocating. Unpaired
	 * surrogates become {@code '?'}.
	 * @param value the text
	 * @param target where to encode it; its length is the limit
	 * @return the number of bytes written
	 */
	static int encodeUtf8(CharSequence value, byte[] target) {
		int length = 0;
		for (int i = 0; i < value.length(); i++) {
			int codePoint = value.charAt(i);
			if (Character.isHighSurrogate((char) codePoint) && i + 1 < value.length()
					&& Character.isLowSurrogate(value.charAt(i + 1))) {
				codePoint = Character.toCodePoint((char) codePoint, value.charAt(++i));
			}
			else if (Character.isSurrogate((char) codePoint)) {
				codePoint = '?';
			}
			int size = (codePoint < 0x80) ? 1 : (codePoint < 0x800) ? 2 : (codePoint < 0x10000) ? 3 : 4;
			if (length + size > target.length) {
				break;
			}
			put(codePoint, size, target, length);
			length += size;
		}
		return length;
	}

	private static void put(int codePoint, int size, byte[] target, int at) {
		if (size == 1) {
			target[at] = (byte) codePoint;
			return;
		}
		int lead = (size == 2) ? 0xc0 : (size == 3) ? 0xe0 : 0xf0;
		target[at] = (byte) (lead | (codePoint >> (6 * (size - 1))));
		for (int i = 1; i < size; i++) {
			target[at + i] = (byte) (0x80 | ((codePoint >> (6 * (size - 1 - i))) & 0x3f));
		}
	}

	/**
	 * Read a field; the length is clamped because a reader may see a torn one.
	 * @param buffer the mapped file
	 * @param offset where the field's bytes start
	 * @param length the stored length
	 * @param capacity the field's size in bytes
	 * @return the text, or {@code null} if it is empty
	 */
	static String get(ByteBuffer buffer, int offset, int length, int capacity) {
		int clamped = Math.max(0, Math.min(length, capacity));
		if (clamped == 0) {
			return null;
		}
		byte[] bytes = new byte[clamped];
		buffer.get(offset, bytes);
		return new String(bytes, StandardCharsets.UTF_8);
	}

}
