package io.prefork.sample;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * A scheduled job that must run once per pool, not once per worker: it runs only in the
 * worker in slot 0 (and in a plain, non-prefork run, where the property is absent), never in
 * the JVM that trains the workers' class-data archive through their warm-up. A replacement
 * for that worker takes its slot and so the job. The slot is checked when the bean is
 * created, not with {@code @ConditionalOnProperty}: a Spring AOT build decides conditions at
 * build time, where no process is a worker.
 */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
class OncePerPoolJob {

	private static final Log logger = LogFactory.getLog(OncePerPoolJob.class);

	private final boolean runsHere;

	OncePerPoolJob(@Value("${prefork.worker.slot:0}") int slot, @Value("${prefork.role:none}") String role) {
		this.runsHere = slot == 0 && !role.equals("training");
	}

	@Scheduled(fixedDelayString = "${sample.once-per-pool.interval:1h}")
	void housekeeping() {
		if (this.runsHere) {
			logger.info("Once-per-pool housekeeping ran in pid " + ProcessHandle.current().pid());
		}
	}

}
