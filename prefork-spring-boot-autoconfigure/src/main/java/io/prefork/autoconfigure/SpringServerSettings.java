package io.prefork.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.springframework.boot.context.properties.bind.BindResult;
import org.springframework.boot.context.properties.bind.Binder;

/**
 * Spring Boot's own settings that the master takes into account: the graceful drain follows
 * {@code spring.lifecycle.timeout-per-shutdown-phase} unless
 * {@code server.prefork.timeouts.graceful-shutdown} is set, and {@code server.tomcat.*}
 * values that the prefork settings replace are reported rather than silently ignored.
 */
final class SpringServerSettings {

	/**
	 * Time a worker gets beyond its web server's graceful phase to close the rest of the
	 * application before the master kills it.
	 */
	static final Duration CLOSE_ALLOWANCE = Duration.ofSeconds(10);

	/** Spring Boot's default of {@code spring.lifecycle.timeout-per-shutdown-phase}. */
	static final Duration DEFAULT_SHUTDOWN_PHASE = Duration.ofSeconds(30);

	private SpringServerSettings() {
	}

	/**
	 * Apply Spring Boot's settings to the prefork properties.
	 * @param binder the environment's binder
	 * @param properties the bound {@code server.prefork} properties, updated in place
	 * @return warnings for the log, one per setting that works differently than the user
	 * may expect
	 */
	static List<String> apply(Binder binder, PreforkProperties properties) {
		List<String> warnings = new ArrayList<>();
		applyShutdownPhase(binder, properties.getTimeouts(), warnings);
		PreforkProperties.Worker worker = properties.getWorker();
		warnIfReplaced(binder, "server.tomcat.threads.max", "server.prefork.worker.threads", worker.getThreads(),
				warnings);
		warnIfReplaced(binder, "server.tomcat.max-connections", "server.prefork.worker.max-connections",
				worker.getMaxConnections(), warnings);
		binder.bind("server.tomcat.accept-count", Integer.class)
			.ifBound((acceptCount) -> warnings.add("server.tomcat.accept-count=" + acceptCount
					+ " has no effect: workers do not listen; the master's listen backlog is "
					+ "server.prefork.overload.backlog=" + properties.getOverload().getBacklog()));
		return warnings;
	}

	private static void applyShutdownPhase(Binder binder, PreforkProperties.Timeouts timeouts, List<String> warnings) {
		Duration phase = binder.bind("spring.lifecycle.timeout-per-shutdown-phase", Duration.class)
			.orElse(DEFAULT_SHUTDOWN_PHASE);
		if (!binder.bind("server.prefork.timeouts.graceful-shutdown", Duration.class).isBound()) {
			timeouts.setGracefulShutdown(phase.plus(CLOSE_ALLOWANCE));
			return;
		}
		boolean graceful = !"immediate".equalsIgnoreCase(binder.bind("server.shutdown", String.class).orElse(""));
		Duration drain = timeouts.getGracefulShutdown();
		if (graceful && drain != null && drain.compareTo(phase) < 0) {
			warnings.add("server.prefork.timeouts.graceful-shutdown=" + format(drain)
					+ " is shorter than spring.lifecycle.timeout-per-shutdown-phase=" + format(phase)
					+ ": workers still finishing requests after " + format(drain) + " are killed");
		}
	}

	// PT1M30S reads as 1m30s.
	private static String format(Duration duration) {
		return duration.toString().substring(2).toLowerCase(Locale.ROOT);
	}

	private static void warnIfReplaced(Binder binder, String tomcatProperty, String preforkProperty, int preforkValue,
			List<String> warnings) {
		BindResult<Integer> tomcat = binder.bind(tomcatProperty, Integer.class);
		if (tomcat.isBound() && tomcat.get() != preforkValue) {
			warnings.add(tomcatProperty + "=" + tomcat.get() + " is replaced by " + preforkProperty + "="
					+ preforkValue + " in each worker");
		}
	}

}
