package io.prefork.sample;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * A scheduled job that must run once per pool, not once per worker: it runs only in the
 * worker in slot 0 (and in a plain, non-prefork run, where the property is absent). A
 * replacement for that worker takes its slot and so the job.
 */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
@ConditionalOnProperty(name = "prefork.worker.slot", havingValue = "0", matchIfMissing = true)
class OncePerPoolJob {

	private static final Log logger = LogFactory.getLog(OncePerPoolJob.class);

	@Scheduled(fixedDelayString = "${sample.once-per-pool.interval:1h}")
	void housekeeping() {
		logger.info("Once-per-pool housekeeping ran in pid " + ProcessHandle.current().pid());
	}

}
