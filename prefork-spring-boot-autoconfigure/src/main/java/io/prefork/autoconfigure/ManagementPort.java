package io.prefork.autoconfigure;

import java.net.InetAddress;

import org.springframework.aot.AotDetector;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.util.ClassUtils;

import io.prefork.InvalidPropertyException;
import io.prefork.PreforkSettings;

/**
 * Decides, the way Spring Boot does, whether the actuator has a port of its own
 * ({@code management.server.port} set and different from {@code server.port}); the master
 * then listens on it too.
 */
final class ManagementPort {

	private static final String MANAGEMENT_CONTEXT = "org.springframework.boot.actuate.autoconfigure.web.server.ManagementContextAutoConfiguration";

	private ManagementPort() {
	}

	/**
	 * Bind {@code management.server.port} and {@code management.server.address}.
	 * @param binder the binder of the application's environment
	 * @param serverPort the application's port ({@code server.port}, 8080 if unset)
	 * @return the separate management port, or {@code null} if there is none
	 * @throws InvalidPropertyException if the port is out of range, or the application runs
	 * a Spring AOT build
	 */
	static PreforkSettings.Management bind(Binder binder, int serverPort) {
		Integer port = binder.bind("management.server.port", Integer.class).orElse(null);
		// Without the actuator, Spring Boot ignores management.server.port.
		if (!isSeparate(port, serverPort) || !ClassUtils.isPresent(MANAGEMENT_CONTEXT, null)) {
			return null;
		}
		if (port > 65535) {
			throw new InvalidPropertyException("management.server.port", port,
					"must be between 0 and 65535, or -1 to disable HTTP management endpoints");
		}
		// The management child context of an AOT build was generated where no process is a
		// worker, without the hand-over connector, so every worker would bind the port itself.
		if (AotDetector.useGeneratedArtifacts()) {
			throw new InvalidPropertyException("management.server.port", port,
					"a separate management port is not supported with Spring AOT (spring.aot.enabled=true) yet; "
							+ "serve the actuator on server.port, or run without AOT");
		}
		InetAddress address = binder.bind("management.server.address", InetAddress.class).orElse(null);
		return new PreforkSettings.Management(address, port);
	}

	/**
	 * Whether Spring Boot serves the actuator on a port of its own (its
	 * {@code ManagementPortType.DIFFERENT}): {@code 0} is always a separate random port, a
	 * negative port disables HTTP management endpoints, the server's port means the same one.
	 * @param managementPort {@code management.server.port}, or {@code null} if unset
	 * @param serverPort {@code server.port} (8080 if unset)
	 * @return {@code true} for a separate port
	 */
	static boolean isSeparate(Integer managementPort, int serverPort) {
		return managementPort != null && managementPort >= 0 && (managementPort == 0 || managementPort != serverPort);
	}

}
