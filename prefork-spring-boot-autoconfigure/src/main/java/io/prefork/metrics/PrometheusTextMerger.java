package io.prefork.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Merges the Prometheus scrapes (text format 0.0.4) of the pool's workers into one: each
 * family's {@code # HELP} and {@code # TYPE} once, then its samples from every worker, each
 * with a {@code worker} label naming the worker's slot. The pool's own families
 * ({@code prefork_*}, read from the master's scoreboard, the same in every worker) come once,
 * from the worker that answers, without that label, and without series of slots that hold no
 * worker.
 */
public final class PrometheusTextMerger {

	/** The label that names the worker's slot. */
	public static final String WORKER_LABEL = "worker";

	private static final String POOL_PREFIX = "prefork_";

	private static final Pattern HEADER = Pattern.compile("# (?:HELP|TYPE) (\\S+).*");

	private static final Pattern SLOT_LABEL = Pattern.compile("[{,]slot=\"(\\d+)\"");

	private PrometheusTextMerger() {
	}

	/**
	 * Merge scrapes.
	 * @param scrapes each worker's scrape by slot
	 * @param answeringSlot the slot of the worker answering, whose pool families are used
	 * @param liveSlots the slots that hold a worker
	 * @return the merged scrape
	 */
	public static String merge(SortedMap<Integer, String> scrapes, int answeringSlot, Set<Integer> liveSlots) {
		Map<String, Family> families = new LinkedHashMap<>();
		scrapes.forEach((slot, scrape) -> read(scrape, slot, slot == answeringSlot, liveSlots, families));
		StringBuilder merged = new StringBuilder();
		for (Family family : families.values()) {
			family.header.forEach((line) -> merged.append(line).append('\n'));
			family.samples.forEach((line) -> merged.append(line).append('\n'));
		}
		return merged.toString();
	}

	private static void read(String scrape, int slot, boolean answering, Set<Integer> liveSlots,
			Map<String, Family> families) {
		Family family = null;
		for (String line : scrape.split("\n")) {
			if (line.isBlank()) {
				continue;
			}
			Matcher header = HEADER.matcher(line);
			if (header.matches()) {
				family = families.computeIfAbsent(header.group(1), (name) -> new Family(slot));
				if (family.headerFrom == slot) {
					family.header.add(line);
				}
			}
			else if (!line.startsWith("#")) {
				if (family == null) {
					family = families.computeIfAbsent(metricName(line), (key) -> new Family(slot));
				}
				addSample(family, line, slot, answering, liveSlots);
			}
		}
	}

	private static void addSample(Family family, String line, int slot, boolean answering, Set<Integer> liveSlots) {
		if (!line.startsWith(POOL_PREFIX)) {
			family.samples.add(withWorker(line, slot));
		}
		else if (answering && isLive(line, liveSlots)) {
			family.samples.add(line);
		}
	}

	// A pool series about one slot (prefork_worker_requests{slot="3"}) is shown only while
	// the slot holds a worker.
	private static boolean isLive(String line, Set<Integer> liveSlots) {
		Matcher slot = SLOT_LABEL.matcher(line.substring(0, labelsEnd(line)));
		return !slot.find() || liveSlots.contains(Integer.parseInt(slot.group(1)));
	}

	static String withWorker(String sample, int slot) {
		int nameEnd = nameEnd(sample);
		String label = WORKER_LABEL + "=\"" + slot + "\"";
		if (nameEnd < sample.length() && sample.charAt(nameEnd) == '{') {
			boolean empty = nameEnd + 1 < sample.length() && sample.charAt(nameEnd + 1) == '}';
			return sample.substring(0, nameEnd + 1) + label + (empty ? "" : ",") + sample.substring(nameEnd + 1);
		}
		return sample.substring(0, nameEnd) + "{" + label + "}" + sample.substring(nameEnd);
	}

	private static String metricName(String sample) {
		return sample.substring(0, nameEnd(sample));
	}

	private static int nameEnd(String sample) {
		int end = 0;
		while (end < sample.length() && sample.charAt(end) != '{' && sample.charAt(end) != ' ') {
			end++;
		}
		return end;
	}

	// Where the labels end: label values are quoted and may hold '}' (escapes are \\, \" and \n).
	private static int labelsEnd(String sample) {
		int at = nameEnd(sample);
		if (at >= sample.length() || sample.charAt(at) != '{') {
			return at;
		}
		boolean quoted = false;
		for (at++; at < sample.length(); at++) {
			char c = sample.charAt(at);
			if (quoted && c == '\\') {
				at++;
			}
			else if (c == '"') {
				quoted = !quoted;
			}
			else if (c == '}' && !quoted) {
				return at;
			}
		}
		return at;
	}

	private static final class Family {

		private final int headerFrom;

		private final List<String> header = new ArrayList<>();

		private final List<String> samples = new ArrayList<>();

		Family(int headerFrom) {
			this.headerFrom = headerFrom;
		}

	}

}
