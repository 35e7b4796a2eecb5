package io.prefork.autoconfigure;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

import io.prefork.actuate.PreforkHealthIndicator;
import io.prefork.scoreboard.CachedSnapshots;

/**
 * The pool's health indicator ({@code prefork}), in workers.
 */
@AutoConfiguration(after = PreforkWorkerAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(CachedSnapshots.class)
@ConditionalOnEnabledHealthIndicator("prefork")
public final class PreforkHealthAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "preforkHealthIndicator")
	PreforkHealthIndicator preforkHealthIndicator(CachedSnapshots snapshots) {
		return new PreforkHealthIndicator(snapshots);
	}

}
