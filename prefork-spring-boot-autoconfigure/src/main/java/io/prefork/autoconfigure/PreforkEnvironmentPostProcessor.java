package io.prefork.autoconfigure;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

import io.prefork.protocol.WorkerIdentity;
import io.prefork.worker.PoolLoggerLevels;

/**
 * Tells the environment which prefork role this process has ({@code prefork.role}) and, in
 * a worker, who it is ({@code prefork.worker.slot}, {@code .generation}, {@code .pid},
 * {@code .dispatch}) and
 * which ports the master listens on, and the logger levels set for the whole pool. Runs after the application's configuration is loaded
 * and before logging starts, so the default log pattern can name the process.
 */
public class PreforkEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

	/** The property that carries a worker's dispatch mode, e.g. {@code pass-fd}. */
	static final String DISPATCH = "prefork.worker.dispatch";

	/** The property that carries a worker's slot. */
	static final String SLOT = "prefork.worker.slot";

	@Override
	public int getOrder() {
		return Ordered.LOWEST_PRECEDENCE;
	}

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		PreforkRole role = PreforkRole.detect(application, environment);
		if (role == PreforkRole.NONE) {
			return;
		}
		Map<String, Object> properties = new HashMap<>();
		properties.put(PreforkRole.PROPERTY, role.name().toLowerCase(java.util.Locale.ROOT));
		String label = "master";
		if (role == PreforkRole.WORKER) {
			WorkerIdentity identity = WorkerIdentity.ofThisProcess();
			properties.put(SLOT, identity.slot());
			properties.put("prefork.worker.generation", identity.generation());
			properties.put("prefork.worker.pid", ProcessHandle.current().pid());
			properties.put(DISPATCH, identity.dispatch().value());
			properties.put("server.port", identity.port());
			if (identity.managementPort() != 0) {
				// The port the master bound, even for management.server.port=0.
				properties.put("management.server.port", identity.managementPort());
			}
			label = "worker " + identity.slot();
			// The master prints the banner, once for the server.
			properties.put("spring.main.banner-mode", "off");
			if (!identity.initialises()) {
				properties.putAll(SkippedSqlInit.properties(environment));
			}
			// Levels set through the actuator for the whole pool win over the configured ones.
			new PoolLoggerLevels(Path.of(identity.scoreboard()).getParent()).read()
				.forEach((name, level) -> properties.put("logging.level." + name, level));
		}
		else if (role == PreforkRole.TRAINING) {
			label = "cds training";
			properties.put("spring.main.banner-mode", "off");
			properties.putAll(ClassDataTrainingRun.properties(environment));
		}
		environment.getPropertySources().addFirst(new MapPropertySource("prefork", properties));
		// Lowest precedence: the application's own settings win.
		Map<String, Object> defaults = new HashMap<>();
		defaults.put("logging.pattern.level", "%5p [" + label + "]");
		environment.getPropertySources().addLast(new MapPropertySource("preforkDefaults", defaults));
	}

}
