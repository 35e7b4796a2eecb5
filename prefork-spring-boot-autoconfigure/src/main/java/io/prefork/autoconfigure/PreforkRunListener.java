package io.prefork.autoconfigure;

import java.time.Duration;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringApplicationRunListener;
import org.springframework.boot.bootstrap.ConfigurableBootstrapContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;

import io.prefork.protocol.WorkerIdentity;
import io.prefork.worker.Worker;
import io.prefork.worker.WorkerSignals;

/**
 * Where the prefork server takes over {@code SpringApplication.run}: in the master, once
 * the environment (and logging) is ready, it runs the master instead of creating the
 * application context and ends the JVM; in a worker, it connects to the master before the
 * context starts and reports ready once the application is.
 */
public class PreforkRunListener implements SpringApplicationRunListener, Ordered {

	/** How long an orphaned worker may spend closing its application before it halts. */
	private static final Duration ORPHAN_EXIT_GRACE = Duration.ofSeconds(3);

	private final SpringApplication application;

	/**
	 * Create the listener (Spring Boot's contract for run listeners).
	 * @param application the application being run
	 * @param args its arguments
	 */
	public PreforkRunListener(SpringApplication application, String[] args) {
		this.application = application;
	}

	@Override
	public int getOrder() {
		// After EventPublishingRunListener (order 0), so configuration and logging are ready.
		return 10;
	}

	@Override
	public void environmentPrepared(ConfigurableBootstrapContext bootstrapContext,
			ConfigurableEnvironment environment) {
		switch (PreforkRole.of(environment)) {
			case MASTER -> System.exit(MasterRunner.run(environment, this.application.getMainApplicationClass()));
			case WORKER -> {
				// First, so that only the JVM's own start-up is left exposed to SIGUSR1 or SIGUSR2.
				WorkerSignals.install(LogFiles::reopen);
				Worker.start(WorkerIdentity.ofThisProcess(), Worker.MasterGone.exitWithin(ORPHAN_EXIT_GRACE));
			}
			case TRAINING, NONE -> {
			}
		}
	}

	@Override
	public void ready(ConfigurableApplicationContext context, Duration timeTaken) {
		switch (PreforkRole.of(context.getEnvironment())) {
			case WORKER -> Worker.current().ready();
			case TRAINING -> System.exit(ClassDataTrainingRun.warmUpAndClose(context));
			case MASTER, NONE -> {
			}
		}
	}

}
