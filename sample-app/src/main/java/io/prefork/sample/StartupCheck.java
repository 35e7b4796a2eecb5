package io.prefork.sample;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/**
 * Makes the application fail to start when {@code sample.fail-on-start=true}, to show that
 * the master stops with a clear error instead of respawning workers forever.
 */
@Component
@ConditionalOnProperty("sample.fail-on-start")
class StartupCheck implements InitializingBean {

	@Override
	public void afterPropertiesSet() {
		throw new IllegalStateException("sample.fail-on-start=true: this application refuses to start");
	}

}
