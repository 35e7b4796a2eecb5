package io.prefork.sample;

import java.util.HashMap;
import java.util.Map;

import jakarta.servlet.http.HttpSession;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * State kept in the HTTP session, as a login or a flash attribute would be: stored by one
 * request, read back by later ones on other connections.
 */
@RestController
class SessionController {

	private final long pid = ProcessHandle.current().pid();

	@PostMapping("/session")
	Map<String, Object> store(@RequestParam String value, HttpSession session) {
		session.setAttribute("value", value);
		return describe(session);
	}

	@GetMapping("/session")
	Map<String, Object> read(HttpSession session) {
		return describe(session);
	}

	private Map<String, Object> describe(HttpSession session) {
		Map<String, Object> body = new HashMap<>();
		body.put("value", session.getAttribute("value"));
		body.put("session", session.getId());
		body.put("pid", this.pid);
		return body;
	}

}
