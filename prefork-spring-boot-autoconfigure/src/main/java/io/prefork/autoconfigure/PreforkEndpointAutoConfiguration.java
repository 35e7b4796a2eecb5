package io.prefork.autoconfigure;

import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

import io.prefork.actuate.PoolControl;
import io.prefork.actuate.PreforkEndpoint;
import io.prefork.scoreboard.CachedSnapshots;

/**
 * The {@code prefork} actuator endpoint, in workers.
 */
@AutoConfiguration(after = PreforkWorkerAutoConfiguration.class)
@ConditionalOnClass(Endpoint.class)
@ConditionalOnBean({ CachedSnapshots.class, PoolControl.class })
@ConditionalOnAvailableEndpoint(PreforkEndpoint.class)
public final class PreforkEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	PreforkEndpoint preforkEndpoint(CachedSnapshots snapshots, PoolControl control) {
		return new PreforkEndpoint(snapshots, control);
	}

}
