package io.prefork.autoconfigure;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(OutputCaptureExtension.class)
class MasterBannerTests {

	@Test
	void printsSpringBootsBannerWhenTheApplicationHasNone(CapturedOutput output) {
		MasterBanner.print(new MockEnvironment(), null);
		assertThat(output.getOut()).contains(":: Spring Boot ::", "(v4.");
	}

	@Test
	void printsTheApplicationsBanner(CapturedOutput output) {
		MasterBanner.print(new MockEnvironment().withProperty("spring.banner.location",
				"classpath:io/prefork/autoconfigure/test-banner.txt"), null);
		assertThat(output.getOut()).contains("My app banner").doesNotContain("Spring Boot ::");
	}

	@Test
	void printsNothingWhenTheBannerIsOff(CapturedOutput output) {
		MasterBanner.print(new MockEnvironment().withProperty("spring.main.banner-mode", "off"), null);
		assertThat(output.getAll()).isEmpty();
	}

}
