package io.prefork.sample;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import io.prefork.worker.Worker;

/**
 * Lets the application shut the whole prefork server down, when {@code sample.allow-stop=true}:
 * the application asks, the master stops every worker gracefully and exits. The property is
 * read at run time (not a condition) so that an AOT build, whose conditions are evaluated at
 * build time, honours it too.
 */
@RestController
class ServerControlController {

	private final ObjectProvider<Worker> worker;

	private final boolean allowed;

	ServerControlController(ObjectProvider<Worker> worker, @Value("${sample.allow-stop:false}") boolean allowed) {
		this.worker = worker;
		this.allowed = allowed;
	}

	@PostMapping("/server/stop")
	ResponseEntity<String> stop() {
		if (!this.allowed) {
			return ResponseEntity.notFound().build();
		}
		Worker worker = this.worker.getIfAvailable();
		if (worker == null) {
			return ResponseEntity.status(HttpStatus.CONFLICT).body("not running as a prefork worker\n");
		}
		worker.requestServerShutdown(0);
		return ResponseEntity.accepted().body("stopping\n");
	}

}
