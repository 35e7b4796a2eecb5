package io.prefork.actuate;

import java.util.function.Supplier;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

import io.prefork.scoreboard.PoolCounter;
import io.prefork.scoreboard.ScoreboardSnapshot;

/**
 * The pool's health: up while at least one worker serves; out of service when none does or
 * while workers keep failing to start, so probes take the instance out of rotation.
 */
public class PreforkHealthIndicator extends AbstractHealthIndicator {

	private final Supplier<ScoreboardSnapshot> snapshots;

	/**
	 * Create the indicator.
	 * @param snapshots where to read the scoreboard
	 */
	public PreforkHealthIndicator(Supplier<ScoreboardSnapshot> snapshots) {
		super("Prefork pool health check failed");
		this.snapshots = snapshots;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		ScoreboardSnapshot snapshot = this.snapshots.get();
		long serving = snapshot.rows().stream().filter((row) -> "idle".equals(row.state()) || "busy".equals(row.state()))
			.count();
		long bootFailures = snapshot.counter(PoolCounter.CONSECUTIVE_BOOT_FAILURES);
		if (serving > 0 && bootFailures == 0) {
			builder.up();
		}
		else {
			builder.outOfService();
		}
		builder.withDetail("servingWorkers", serving)
			.withDetail("targetWorkers", snapshot.counter(PoolCounter.TARGET_WORKERS))
			.withDetail("consecutiveBootFailures", bootFailures);
	}

}
