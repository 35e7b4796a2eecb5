package io.prefork.autoconfigure;

import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import io.prefork.metrics.PreforkMetrics;
import io.prefork.scoreboard.CachedSnapshots;

/**
 * Micrometer meters for the pool, in workers.
 */
@AutoConfiguration(after = PreforkWorkerAutoConfiguration.class,
		afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration")
@ConditionalOnClass(MeterBinder.class)
@ConditionalOnBean(CachedSnapshots.class)
public final class PreforkMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	PreforkMetrics preforkMetrics(CachedSnapshots snapshots) {
		return new PreforkMetrics(snapshots, snapshots.slots());
	}

}
