package io.prefork.routing;

import java.nio.charset.StandardCharsets;

/**
 * Finds the slot a new connection's session belongs to, from the first bytes of its first
 * request: the session cookie, else a {@code ;jsessionid=} path parameter (Tomcat prefers
 * the cookie too). It reads only what it is given, never more than one request head, and
 * gives up on anything that is not plain HTTP/1.x (TLS, HTTP/2), so such connections are
 * never held back.
 */
public final class SessionCookieScanner {

	/** The head has no session route of ours: any worker may take the connection. */
	public static final int NO_ROUTE = -1;

	/** The head is not complete yet and what is there has no route. */
	public static final int NEED_MORE = -2;

	/** Longer than any method name: the request line does not start like HTTP/1.x. */
	private static final int MAX_METHOD_LENGTH = 24;

	private final String cookieName;

	private final String pathParameter;

	private final int slots;

	/**
	 * Create a scanner.
	 * @param cookieName the session cookie's name, e.g. {@code JSESSIONID}
	 * @param pathParameter the session path parameter's name, e.g. {@code jsessionid}
	 * @param slots the number of slots there are
	 */
	public SessionCookieScanner(String cookieName, String pathParameter, int slots) {
		this.cookieName = cookieName;
		this.pathParameter = ";" + pathParameter + "=";
		this.slots = slots;
	}

	/**
	 * Scan the start of a connection.
	 * @param head the bytes received so far
	 * @param length how many of them there are
	 * @param last whether no more bytes will come (the buffer is full, the client closed,
	 * or it took too long)
	 * @return the slot, {@link #NO_ROUTE}, or {@link #NEED_MORE} (never when {@code last})
	 */
	public int scan(byte[] head, int length, boolean last) {
		String text = new String(head, 0, length, StandardCharsets.ISO_8859_1);
		int undecided = last ? NO_ROUTE : NEED_MORE;
		int method = methodLength(text);
		if (method < 0) {
			return (method == NEED_MORE) ? undecided : NO_ROUTE;
		}
		int requestLineEnd = text.indexOf('\n');
		if (requestLineEnd < 0) {
			return undecided;
		}
		int fromPath = pathParameterSlot(text, method + 1, requestLineEnd);
		int line = requestLineEnd + 1;
		while (true) {
			int next = text.indexOf('\n', line);
			if (next < 0) {
				return last ? fromPath : NEED_MORE;
			}
			int end = (next > line && text.charAt(next - 1) == '\r') ? next - 1 : next;
			if (end == line) {
				return fromPath;
			}
			int slot = cookieHeaderSlot(text, line, end);
			if (slot >= 0) {
				return slot;
			}
			line = next + 1;
		}
	}

	// The length of the method token before the first space; NO_ROUTE if there is none.
	private static int methodLength(String text) {
		for (int i = 0; i < text.length() && i <= MAX_METHOD_LENGTH; i++) {
			char c = text.charAt(i);
			if (c == ' ') {
				return (i > 0) ? i : NO_ROUTE;
			}
			if (!(c >= 'A' && c <= 'Z') && c != '-' && c != '_') {
				return NO_ROUTE;
			}
		}
		return (text.length() <= MAX_METHOD_LENGTH) ? NEED_MORE : NO_ROUTE;
	}

	private int pathParameterSlot(String text, int start, int end) {
		int targetEnd = text.indexOf(' ', start);
		if (targetEnd < 0 || targetEnd > end) {
			targetEnd = end;
		}
		int at = text.indexOf(this.pathParameter, start);
		if (at < 0 || at >= targetEnd) {
			return NO_ROUTE;
		}
		int valueStart = at + this.pathParameter.length();
		int valueEnd = valueStart;
		while (valueEnd < targetEnd && ";/?#".indexOf(text.charAt(valueEnd)) < 0) {
			valueEnd++;
		}
		return SessionRoute.slotOf(text, valueStart, valueEnd, this.slots);
	}

	// A Cookie header line's first session cookie that names one of our routes.
	private int cookieHeaderSlot(String text, int start, int end) {
		if (!text.regionMatches(true, start, "Cookie:", 0, 7)) {
			return NO_ROUTE;
		}
		int pair = start + 7;
		while (pair < end) {
			int pairEnd = text.indexOf(';', pair);
			if (pairEnd < 0 || pairEnd > end) {
				pairEnd = end;
			}
			int nameStart = skipSpace(text, pair, pairEnd);
			int equals = text.indexOf('=', nameStart);
			if (equals > 0 && equals < pairEnd && trimmedEquals(text, nameStart, equals, this.cookieName)) {
				int valueStart = skipSpace(text, equals + 1, pairEnd);
				int valueEnd = pairEnd;
				while (valueEnd > valueStart && isSpace(text.charAt(valueEnd - 1))) {
					valueEnd--;
				}
				if (valueEnd - valueStart >= 2 && text.charAt(valueStart) == '"' && text.charAt(valueEnd - 1) == '"') {
					valueStart++;
					valueEnd--;
				}
				int slot = SessionRoute.slotOf(text, valueStart, valueEnd, this.slots);
				if (slot >= 0) {
					return slot;
				}
			}
			pair = pairEnd + 1;
		}
		return NO_ROUTE;
	}

	private static boolean trimmedEquals(String text, int start, int end, String name) {
		while (end > start && isSpace(text.charAt(end - 1))) {
			end--;
		}
		return end - start == name.length() && text.startsWith(name, start);
	}

	private static int skipSpace(String text, int from, int end) {
		while (from < end && isSpace(text.charAt(from))) {
			from++;
		}
		return from;
	}

	private static boolean isSpace(char c) {
		return c == ' ' || c == '\t';
	}

}
