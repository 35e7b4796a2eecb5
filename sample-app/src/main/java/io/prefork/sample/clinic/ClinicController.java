package io.prefork.sample.clinic;

import org.springframework.context.annotation.DependsOn;
import org.springframework.context.annotation.Profile;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.server.ResponseStatusException;

/**
 * The realistic profile's pages (issue 20): {@code GET /owners} lists a dozen owners with their
 * pets, {@code GET /owners/{id}} shows one owner, their pets and the pets' visits. Both are
 * read through Spring Data JPA and rendered with Thymeleaf; the footer names the process that
 * rendered the page. Created only after the database is seeded, so no worker serves an empty
 * page.
 */
@Controller
@Profile("realistic")
@DependsOn("clinicDatabase")
class ClinicController {

	private final ClinicService clinic;

	private final long pid = ProcessHandle.current().pid();

	ClinicController(ClinicService clinic) {
		this.clinic = clinic;
	}

	@GetMapping("/owners")
	String owners(Model model) {
		model.addAttribute("owners", this.clinic.owners());
		model.addAttribute("pid", this.pid);
		return "owners/list";
	}

	@GetMapping("/owners/{id}")
	String owner(@PathVariable int id, Model model) {
		model.addAttribute("owner", this.clinic.owner(id)
			.orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "no owner " + id)));
		model.addAttribute("pid", this.pid);
		return "owners/detail";
	}

}
