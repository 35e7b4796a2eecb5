package io.prefork.sample;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The realistic profile (issue 20) under prefork: two workers serve the JPA + Thymeleaf pages
 * from one shared H2 file database, seeded once for the pool, not once per worker.
 */
class RealisticProfileIT {

	private static final Pattern PID = Pattern.compile("<span class=\"pid\">(\\d+)</span>");

	private static final Pattern OWNER = Pattern.compile("<a class=\"owner\" href=\"/owners/\\d+\">([^<]+)</a>");

	private static final Pattern PET = Pattern.compile("<h3 class=\"pet\">([^<]+)</h3>");

	private static final Pattern VISIT = Pattern.compile("<td class=\"visit\">([^<]+)</td>");

	@Test
	void bothWorkersRenderTheSameSeededRowsFromOneDatabase(@TempDir Path store) throws Exception {
		try (PreforkServer server = PreforkServer.start("--spring.profiles.active=realistic",
				"--sample.realistic.h2-file=" + store.resolve("clinic"),
				// Hibernate + Thymeleaf workers on a busy shared box can take minutes to boot.
				"--server.prefork.timeouts.boot=300s")) {
			server.awaitTrue("2 workers ready", Duration.ofSeconds(360), () -> server.countInOutput(" ready in ") >= 2);
			Map<Long, List<String>> ownersByPid = new HashMap<>();
			Map<Long, String> detailByPid = new HashMap<>();
			// One page at a time: the master may hand connections to idle workers in turn, and
			// alternating two pages would then give each page the same worker every time.
			for (int i = 0; i < 30 && ownersByPid.size() < 2; i++) {
				RawHttp.Response list = RawHttp.getOnce(server.port(), "/owners");
				assertThat(list.status()).as("GET /owners: %s", list.head()).isEqualTo(200);
				assertThat(list.header("Content-Type")).startsWith("text/html");
				ownersByPid.put(pid(list), all(OWNER, list.body()));
			}
			for (int i = 0; i < 30 && detailByPid.size() < 2; i++) {
				RawHttp.Response detail = RawHttp.getOnce(server.port(), "/owners/3");
				assertThat(detail.status()).as("GET /owners/3: %s", detail.head()).isEqualTo(200);
				detailByPid.put(pid(detail), detail.body().replaceAll("<span class=\"pid\">\\d+</span>", ""));
			}
			assertThat(ownersByPid).as("workers that rendered /owners").hasSize(2);
			assertThat(detailByPid).as("workers that rendered /owners/3").hasSize(2);
			List<List<String>> lists = List.copyOf(ownersByPid.values());
			assertThat(lists.get(0)).as("owners, sorted by last name").hasSize(12).startsWith("Jeff Black",
					"Jean Coleman");
			assertThat(lists.get(1)).as("the other worker's owners").isEqualTo(lists.get(0));
			List<String> details = List.copyOf(detailByPid.values());
			assertThat(details.get(1)).as("the other worker's /owners/3").isEqualTo(details.get(0));
			assertThat(details.get(0)).contains("Eduardo Rodriquez");
			assertThat(all(PET, details.get(0))).containsExactly("George", "Iggy");
			assertThat(all(VISIT, details.get(0))).hasSize(4);
			assertThat(RawHttp.getOnce(server.port(), "/owners/99").status()).isEqualTo(404);
			assertThat(server.countInOutput("Clinic database seeded by pid")).as("seeded once for the pool")
				.isEqualTo(1);
		}
	}

	private static long pid(RawHttp.Response response) throws IOException {
		Matcher matcher = PID.matcher(response.body());
		assertThat(matcher.find()).as("pid in the footer of %s", response.body()).isTrue();
		return Long.parseLong(matcher.group(1));
	}

	private static List<String> all(Pattern pattern, String body) {
		return pattern.matcher(body).results().map((match) -> match.group(1)).toList();
	}

}
