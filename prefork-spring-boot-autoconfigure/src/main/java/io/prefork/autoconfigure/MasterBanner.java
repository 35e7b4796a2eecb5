package io.prefork.autoconfigure;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.Banner;
import org.springframework.boot.ResourceBanner;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.core.io.Resource;

/**
 * Prints the application's banner in the master, once for the server as plain Spring Boot
 * prints it once for the application: the master never reaches the point where Spring Boot
 * prints it, and workers never print it. Honours {@code spring.main.banner-mode} and
 * {@code spring.banner.location} ({@code banner.txt}); without a banner of the application's,
 * it prints Spring Boot's.
 */
final class MasterBanner {

	private static final Log logger = LogFactory.getLog(MasterBanner.class);

	private static final String SPRING_BOOT_BANNER = "io/prefork/autoconfigure/spring-boot-banner.txt";

	private MasterBanner() {
	}

	/**
	 * Print the banner as {@code spring.main.banner-mode} says.
	 * @param environment the application's environment
	 * @param mainClass the application's main class, for its title and version, or
	 * {@code null}
	 */
	static void print(Environment environment, Class<?> mainClass) {
		Banner.Mode mode = Binder.get(environment).bind("spring.main.banner-mode", Banner.Mode.class)
			.orElse(Banner.Mode.CONSOLE);
		if (mode == Banner.Mode.OFF) {
			return;
		}
		Banner banner = new ResourceBanner(bannerResource(environment));
		if (mode == Banner.Mode.LOG) {
			ByteArrayOutputStream text = new ByteArrayOutputStream();
			banner.printBanner(environment, mainClass, new PrintStream(text, true, StandardCharsets.UTF_8));
			logger.info(text.toString(StandardCharsets.UTF_8));
		}
		else {
			banner.printBanner(environment, mainClass, System.out);
		}
	}

	private static Resource bannerResource(Environment environment) {
		Resource own = new DefaultResourceLoader(MasterBanner.class.getClassLoader())
			.getResource(environment.getProperty("spring.banner.location", "classpath:banner.txt"));
		return own.exists() ? own : new ClassPathResource(SPRING_BOOT_BANNER, MasterBanner.class.getClassLoader());
	}

}
