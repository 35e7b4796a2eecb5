package io.prefork.sample;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Makes the application fail to start when {@code sample.fail-on-start=true}, to show that
 * the master stops with a clear error instead of respawning workers forever. The property is
 * read at run time (not a condition) so that an AOT build honours it too.
 */
@Component
class StartupCheck implements InitializingBean {

	private final boolean fail;

	StartupCheck(@Value("${sample.fail-on-start:false}") boolean fail) {
		this.fail = fail;
	}

	@Override
	public void afterPropertiesSet() {
		if (this.fail) {
			throw new IllegalStateException("sample.fail-on-start=true: this application refuses to start");
		}
	}

}
