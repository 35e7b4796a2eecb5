package io.prefork.application;

/**
 * Who this worker process is, for applications that need it: a bean in every prefork
 * worker (and only there; inject it as {@code ObjectProvider<WorkerInfo>} in code that
 * also runs without prefork). Slots are numbered from 0 and a replacement worker takes
 * over its predecessor's slot, so "the worker in slot 0" is a stable choice for work that
 * must run once per pool, such as a scheduler. The same values are in the environment as
 * {@code prefork.worker.slot}, {@code prefork.worker.generation} and
 * {@code prefork.worker.pid}.
 *
 * @param slot the worker's slot, from 0
 * @param generation how many workers the slot had before this one
 * @param pid this process's id
 * @param route the session route of the slot, the suffix of the session ids this worker
 * creates
 */
public record WorkerInfo(int slot, int generation, long pid, String route) {

	/**
	 * Whether this worker is in slot 0, the usual choice for once-per-pool work.
	 * @return {@code true} in slot 0
	 */
	public boolean isFirstSlot() {
		return this.slot == 0;
	}

}
