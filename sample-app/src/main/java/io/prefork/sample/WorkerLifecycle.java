package io.prefork.sample;

import java.time.Duration;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import io.prefork.application.WorkerRetiringEvent;

/**
 * Where an application hands its state on before its worker retires (recycled, scaled
 * down, restarted or shut down): flush a cache, finish a batch, deregister. With
 * {@code sample.close-delay} it also takes that long to close after its servers have
 * stopped, as an application flushing a producer or a connection pool does, to show that
 * the pool answers probes meanwhile.
 */
@Component
class WorkerLifecycle implements DisposableBean {

	private static final Log logger = LogFactory.getLog(WorkerLifecycle.class);

	private final Duration closeDelay;

	WorkerLifecycle(@Value("${sample.close-delay:0s}") Duration closeDelay) {
		this.closeDelay = closeDelay;
	}

	@EventListener
	void retiring(WorkerRetiringEvent event) {
		logger.info("Worker in slot " + event.getWorker().slot() + " (pid " + event.getWorker().pid()
				+ ") retiring (" + event.getReason() + "): state handed on");
	}

	@Override
	public void destroy() throws InterruptedException {
		if (!this.closeDelay.isZero()) {
			logger.info("Servers stopped; closing for " + this.closeDelay.toMillis() + " ms (sample.close-delay)");
			Thread.sleep(this.closeDelay.toMillis());
		}
	}

}
