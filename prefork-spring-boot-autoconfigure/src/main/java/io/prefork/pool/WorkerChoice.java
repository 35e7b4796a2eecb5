package io.prefork.pool;

import java.util.List;

/**
 * Picks the worker that gets the next connection: the one holding the fewest connections;
 * among equals, the first after the previous pick, so idle workers take turns.
 */
public final class WorkerChoice {

	private WorkerChoice() {
	}

	/**
	 * Choose a worker.
	 * @param candidates the workers that may take a connection now
	 * @param previousSlot the slot chosen last time, or {@code -1}
	 * @return the chosen slot, or {@code -1} if there is no candidate
	 */
	public static int choose(List<Candidate> candidates, int previousSlot) {
		Candidate best = null;
		for (Candidate candidate : candidates) {
			if (best == null || candidate.openConnections() < best.openConnections()
					|| (candidate.openConnections() == best.openConnections()
							&& turnOrder(candidate.slot(), previousSlot) < turnOrder(best.slot(), previousSlot))) {
				best = candidate;
			}
		}
		return (best != null) ? best.slot() : -1;
	}

	// Slots after the previous pick come first, then the ones up to and including it.
	private static long turnOrder(int slot, int previousSlot) {
		return (slot > previousSlot) ? slot : (long) Integer.MAX_VALUE + slot;
	}

	/**
	 * A worker that may take a connection.
	 *
	 * @param slot its slot
	 * @param openConnections the connections it holds, counting those handed to it and not yet
	 * acknowledged
	 */
	public record Candidate(int slot, int openConnections) {
	}

}
