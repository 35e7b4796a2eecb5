package io.prefork.routing;

/**
 * How a worker's slot is named in its session ids. Tomcat appends the engine's
 * {@code jvmRoute} to every session id it creates ({@code 5F2A….w1}), so the master can
 * tell from a session cookie which slot made the session. The route belongs to the slot,
 * not the process: a replacement worker takes it over.
 */
public final class SessionRoute {

	private static final String PREFIX = "w";

	private SessionRoute() {
	}

	/**
	 * Return the route of a slot.
	 * @param slot the slot
	 * @return its route, e.g. {@code w1}
	 */
	public static String of(int slot) {
		return PREFIX + slot;
	}

	/**
	 * Return the slot a session id was made in.
	 * @param sessionId a session id, perhaps with a route suffix
	 * @param slots the number of slots there are
	 * @return the slot, or {@code -1} if the id has no route of ours
	 */
	public static int slotOf(CharSequence sessionId, int slots) {
		return slotOf(sessionId, 0, sessionId.length(), slots);
	}

	/**
	 * Return the slot a session id was made in.
	 * @param text text holding the session id
	 * @param start where the id starts
	 * @param end where it ends (exclusive)
	 * @param slots the number of slots there are
	 * @return the slot, or {@code -1} if the id has no route of ours
	 */
	static int slotOf(CharSequence text, int start, int end, int slots) {
		int dot = -1;
		for (int i = end - 1; i >= start; i--) {
			if (text.charAt(i) == '.') {
				dot = i;
				break;
			}
		}
		int digits = dot + 1 + PREFIX.length();
		if (dot < 0 || digits >= end || end - digits > 4 || text.charAt(dot + 1) != PREFIX.charAt(0)) {
			return -1;
		}
		int slot = 0;
		for (int i = digits; i < end; i++) {
			char c = text.charAt(i);
			if (c < '0' || c > '9' || (i == digits && c == '0' && end - digits > 1)) {
				return -1;
			}
			slot = slot * 10 + (c - '0');
		}
		return (slot < slots) ? slot : -1;
	}

}
