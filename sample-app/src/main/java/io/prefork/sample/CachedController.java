package io.prefork.sample;

import java.util.Map;
import java.util.UUID;

import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A value each worker caches until {@code DELETE /actuator/caches} clears the caches of the
 * whole pool.
 */
@RestController
@EnableCaching
class CachedController {

	private final long pid = ProcessHandle.current().pid();

	@Cacheable("stamps")
	@GetMapping("/cached")
	public Map<String, Object> cached(@RequestParam String key) {
		return Map.of("key", key, "stamp", UUID.randomUUID().toString(), "pid", this.pid);
	}

}
