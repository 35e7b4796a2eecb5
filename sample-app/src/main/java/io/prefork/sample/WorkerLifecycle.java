package io.prefork.sample;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import io.prefork.application.WorkerRetiringEvent;

/**
 * Where an application hands its state on before its worker retires (recycled, scaled
 * down, restarted or shut down): flush a cache, finish a batch, deregister.
 */
@Component
class WorkerLifecycle {

	private static final Log logger = LogFactory.getLog(WorkerLifecycle.class);

	@EventListener
	void retiring(WorkerRetiringEvent event) {
		logger.info("Worker in slot " + event.getWorker().slot() + " (pid " + event.getWorker().pid()
				+ ") retiring (" + event.getReason() + "): state handed on");
	}

}
