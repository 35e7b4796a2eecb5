package io.prefork.sample;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import io.prefork.worker.Worker;

/**
 * Lets the application shut the whole prefork server down, when {@code sample.allow-stop=true}:
 * the application asks, the master stops every worker gracefully and exits.
 */
@RestController
@ConditionalOnProperty("sample.allow-stop")
class ServerControlController {

	private final ObjectProvider<Worker> worker;

	ServerControlController(ObjectProvider<Worker> worker) {
		this.worker = worker;
	}

	@PostMapping("/server/stop")
	ResponseEntity<String> stop() {
		Worker worker = this.worker.getIfAvailable();
		if (worker == null) {
			return ResponseEntity.status(HttpStatus.CONFLICT).body("not running as a prefork worker\n");
		}
		worker.requestServerShutdown(0);
		return ResponseEntity.accepted().body("stopping\n");
	}

}
