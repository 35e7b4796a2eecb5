package io.prefork.autoconfigure;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.util.unit.DataSize;

import io.prefork.DispatchMode;
import io.prefork.InvalidPropertyException;
import io.prefork.OverloadPolicy;
import io.prefork.PoolMode;
import io.prefork.PreforkSettings;
import io.prefork.SqlInitialization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class PreforkPropertiesTests {

	private static final int PROCESSORS = Runtime.getRuntime().availableProcessors();

	@Test
	void bindsKebabCasePropertiesOntoTheEngineSettings() {
		PreforkProperties properties = bind(Map.of("server.prefork.workers", "3", "server.prefork.worker.threads", "8",
				"server.prefork.worker.max-connections", "200", "server.prefork.worker.jvm-options",
				"-Xmx64m -XX:+UseSerialGC", "server.prefork.timeouts.boot", "5s", "server.prefork.timeouts.handoff",
				"250ms", "server.prefork.timeouts.graceful-shutdown", "1m", "server.prefork.overload.backlog", "128"));
		InetAddress loopback = InetAddress.getLoopbackAddress();
		PreforkSettings settings = properties.toSettings(loopback, 8081);
		assertThat(settings.address()).isEqualTo(loopback);
		assertThat(settings.port()).isEqualTo(8081);
		assertThat(settings.workers()).isEqualTo(3);
		assertThat(settings.timeouts()).isEqualTo(new PreforkSettings.Timeouts(Duration.ofSeconds(5),
				Duration.ofMillis(250), Duration.ofSeconds(30), null, Duration.ofMinutes(1), Duration.ofMinutes(2)));
		assertThat(settings.worker()).usingRecursiveComparison()
			.ignoringFields("cds")
			.isEqualTo(new PreforkSettings.Worker(8, 200, List.of("-Xmx64m", "-XX:+UseSerialGC"), 0, 0, 0, null, true, 0,
					null, new PreforkSettings.Container(true, 0, 140L << 20), PreforkSettings.Warmup.NONE));
		assertThat(settings.overload().backlog()).isEqualTo(128);
	}

	@Test
	void bindsWhichWorkersInitialiseTheDatabase() {
		assertThat(bind(Map.of()).toSettings(null, 8080).sqlInit()).isEqualTo(SqlInitialization.EVERY_WORKER);
		assertThat(bind(Map.of("server.prefork.sql-init", "first-worker")).toSettings(null, 8080).sqlInit())
			.isEqualTo(SqlInitialization.FIRST_WORKER);
	}

	@Test
	void bindsTheContainerGroup() {
		PreforkProperties properties = bind(Map.of("server.prefork.container.sizing", "false",
				"server.prefork.container.memory-limit", "1GB", "server.prefork.container.non-heap", "100MB"));
		assertThat(properties.toSettings(null, 8080).worker().container())
			.isEqualTo(new PreforkSettings.Container(false, 1L << 30, 100L << 20));
	}

	@Test
	void bindsThePoolGroup() {
		PreforkProperties properties = bind(Map.of("server.prefork.workers", "2", "server.prefork.pool.mode", "dynamic",
				"server.prefork.pool.min-spare", "2", "server.prefork.pool.max-spare", "5",
				"server.prefork.pool.max-workers", "12", "server.prefork.pool.idle-timeout", "90s",
				"server.prefork.pool.max-starting", "3"));
		assertThat(properties.toSettings(null, 8080).pool())
			.isEqualTo(new PreforkSettings.Pool(PoolMode.DYNAMIC, 2, 5, 12, Duration.ofSeconds(90), 3));
	}

	@Test
	void bindsThePoolModeLeniently() {
		assertThat(bind(Map.of("server.prefork.pool.mode", "dynamic")).toSettings(null, 8080).pool().mode())
			.isEqualTo(PoolMode.DYNAMIC);
		assertThat(bind(Map.of("server.prefork.pool.mode", "STATIC")).toSettings(null, 8080).pool().mode())
			.isEqualTo(PoolMode.STATIC);
	}

	@ParameterizedTest
	@CsvSource({ "pass-fd, PASS_FD", "accept-on-command, ACCEPT_ON_COMMAND", "shared-accept, SHARED_ACCEPT",
			"ACCEPT_ON_COMMAND, ACCEPT_ON_COMMAND" })
	void bindsTheDispatchModeLeniently(String value, DispatchMode expected) {
		assertThat(bind(Map.of("server.prefork.dispatch", value)).toSettings(null, 8080).dispatch())
			.isEqualTo(expected);
	}

	@Test
	void bindsTheNewTimeouts() {
		PreforkProperties properties = bind(
				Map.of("server.prefork.timeouts.heartbeat", "2s", "server.prefork.timeouts.request", "45s"));
		PreforkSettings.Timeouts timeouts = properties.toSettings(null, 8080).timeouts();
		assertThat(timeouts.heartbeat()).isEqualTo(Duration.ofSeconds(2));
		assertThat(timeouts.request()).isEqualTo(Duration.ofSeconds(45));
	}

	@Test
	void bindsTheUpgradeTimeoutAndThePidFile(@TempDir Path directory) {
		PreforkSettings settings = bind(Map.of("server.prefork.timeouts.upgrade", "90s", "server.prefork.pid-file",
				directory.resolve("app.pid").toString()))
			.toSettings(null, 8080);
		assertThat(settings.timeouts().upgrade()).isEqualTo(Duration.ofSeconds(90));
		assertThat(settings.pidFile()).isEqualTo(directory.resolve("app.pid"));
		assertThat(bind(Map.of()).toSettings(null, 8080).pidFile()).isNull();
	}

	@Test
	void rejectsAPidFileThatCannotBeWrittenNamingTheProperty(@TempDir Path directory) {
		assertThatExceptionOfType(InvalidPropertyException.class)
			.isThrownBy(() -> bind(Map.of("server.prefork.pid-file", directory.toString())).toSettings(null, 8080))
			.withMessageContaining("server.prefork.pid-file")
			.withMessageContaining("is a directory");
		assertThatExceptionOfType(InvalidPropertyException.class)
			.isThrownBy(() -> bind(Map.of("server.prefork.pid-file", directory.resolve("missing/app.pid").toString()))
				.toSettings(null, 8080))
			.withMessageContaining("server.prefork.pid-file")
			.withMessageContaining("must be in an existing directory");
		assertThatExceptionOfType(InvalidPropertyException.class)
			.isThrownBy(() -> bind(Map.of("server.prefork.timeouts.upgrade", "0s")).toSettings(null, 8080))
			.withMessageContaining("server.prefork.timeouts.upgrade");
	}

	@Test
	void bindsTheRecycleLimits() {
		PreforkProperties properties = bind(Map.of("server.prefork.worker.max-requests", "10000",
				"server.prefork.worker.max-requests-jitter", "500", "server.prefork.worker.max-rss", "256MB",
				"server.prefork.worker.max-age", "6h"));
		PreforkSettings.Worker worker = properties.toSettings(null, 8080).worker();
		assertThat(worker.maxRequests()).isEqualTo(10000);
		assertThat(worker.maxRequestsJitter()).isEqualTo(500);
		assertThat(worker.maxRssBytes()).isEqualTo(256L * 1024 * 1024).isEqualTo(DataSize.ofMegabytes(256).toBytes());
		assertThat(worker.maxAge()).isEqualTo(Duration.ofHours(6));
	}

	@Test
	void bindsMaxRssInBytesWithoutAUnit() {
		PreforkProperties properties = bind(Map.of("server.prefork.worker.max-rss", "1048576"));
		assertThat(properties.toSettings(null, 8080).worker().maxRssBytes()).isEqualTo(1048576);
	}

	@Test
	void bindsTheOverloadGroup() {
		PreforkProperties properties = bind(Map.of("server.prefork.overload.policy", "reject",
				"server.prefork.overload.queue-size", "0", "server.prefork.overload.max-queue-wait", "2s",
				"server.prefork.overload.retry-after", "7s"));
		assertThat(properties.toSettings(null, 8080).overload()).isEqualTo(
				new PreforkSettings.Overload(OverloadPolicy.REJECT, 0, Duration.ofSeconds(2), Duration.ofSeconds(7), 511));
	}

	@Test
	void bindsTheEnabledFlag() {
		assertThat(bind(Map.of()).isEnabled()).isTrue();
		assertThat(bind(Map.of("server.prefork.enabled", "false")).isEnabled()).isFalse();
	}

	@Test
	void defaultsWhenNothingIsSet() {
		PreforkSettings settings = bind(Map.of()).toSettings(null, 0);
		assertThat(settings.address()).isNull();
		assertThat(settings.port()).isZero();
		assertThat(settings.workers()).isEqualTo(Math.max(2, PROCESSORS));
		assertThat(settings.dispatch()).isEqualTo(DispatchMode.PASS_FD);
		assertThat(settings.pool()).isEqualTo(new PreforkSettings.Pool(PoolMode.STATIC, 1, 3,
				Math.max(settings.workers(), 2 * PROCESSORS), Duration.ofSeconds(30), Math.max(2, PROCESSORS)));
		assertThat(settings.timeouts()).isEqualTo(new PreforkSettings.Timeouts(Duration.ofSeconds(60),
				Duration.ofSeconds(10), Duration.ofSeconds(30), null, Duration.ofSeconds(40), Duration.ofMinutes(2)));
		assertThat(settings.worker()).usingRecursiveComparison()
			.ignoringFields("cds")
			.isEqualTo(new PreforkSettings.Worker(50, 1000, List.of(), 0, 0, 0, null, true, 0, null,
					new PreforkSettings.Container(true, 0, 140L << 20), PreforkSettings.Warmup.NONE));
		assertThat(settings.worker().cds().enabled()).isTrue();
		// $XDG_CACHE_HOME/prefork/cds or ~/.cache/prefork/cds
		assertThat(settings.worker().cds().directory()).isAbsolute().endsWithRaw(Path.of("prefork", "cds"));
		assertThat(settings.overload()).isEqualTo(new PreforkSettings.Overload(OverloadPolicy.BACKPRESSURE, 64,
				Duration.ofSeconds(30), Duration.ofSeconds(5), 511));
	}

	@Test
	void maxWorkersDefaultsToTwiceTheProcessorsOrTheWorkersIfMore() {
		assertThat(bind(Map.of("server.prefork.workers", "1")).toSettings(null, 8080).pool().maxWorkers())
			.isEqualTo(Math.max(1, 2 * PROCESSORS));
		assertThat(bind(Map.of("server.prefork.workers", "1024")).toSettings(null, 8080).pool().maxWorkers())
			.isEqualTo(1024);
	}

	@Test
	void splitsJvmOptionsOnAnyWhitespace() {
		PreforkProperties properties = bind(Map.of("server.prefork.worker.jvm-options", "  -Xss512k \t -Xmx1g  "));
		assertThat(properties.toSettings(null, 8080).worker().jvmOptions()).containsExactly("-Xss512k", "-Xmx1g");
	}

	@Test
	void theMasterIsLeanByDefault() {
		assertThat(bind(Map.of()).getMaster().toSettings()).isEqualTo(new PreforkSettings.MasterJvm(true, List.of()));
	}

	@Test
	void bindsTheMasterJvm() {
		PreforkProperties properties = bind(Map.of("server.prefork.master.lean", "false",
				"server.prefork.master.jvm-options", " -Xmx96m  --add-opens=java.base/java.lang=ALL-UNNAMED "));
		assertThat(properties.getMaster().toSettings()).isEqualTo(new PreforkSettings.MasterJvm(false,
				List.of("-Xmx96m", "--add-opens=java.base/java.lang=ALL-UNNAMED")));
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = { "Xmx96m", "-Xmx96m -jar app.jar", "-cp /tmp", "--add-opens a/b=c" })
	void rejectsMasterJvmOptionsThatAreNotOneTokenEach(String options) {
		assertRejected(Map.of("server.prefork.master.jvm-options", options), "server.prefork.master.jvm-options");
	}

	@Test
	void bindsTheWorkerJvmAndClassDataSharing() {
		PreforkProperties properties = bind(Map.of("server.prefork.worker.jvm-defaults", "false",
				"server.prefork.worker.max-heap", "256MB", "server.prefork.worker.cds.enabled", "false",
				"server.prefork.worker.cds.directory", "/var/cache/app"));
		PreforkSettings.Worker worker = properties.toSettings(null, 8080).worker();
		assertThat(worker.jvmDefaults()).isFalse();
		assertThat(worker.maxHeapBytes()).isEqualTo(256L * 1024 * 1024);
		assertThat(worker.cds()).isEqualTo(new PreforkSettings.Cds(false, Path.of("/var/cache/app")));
	}

	@Test
	void resolvesARelativeCacheDirectoryAgainstTheWorkingDirectory() {
		PreforkProperties properties = bind(Map.of("server.prefork.worker.cds.directory", "cache/../cds"));
		assertThat(properties.toSettings(null, 8080).worker().cds().directory())
			.isEqualTo(Path.of("").toAbsolutePath().resolve("cds"));
	}

	@ParameterizedTest
	@CsvSource({ "server.prefork.workers, 0", "server.prefork.workers, -2", "server.prefork.workers, 1025",
			"server.prefork.worker.threads, 0", "server.prefork.worker.max-connections, 0",
			"server.prefork.worker.management-threads, 0",
			"server.prefork.timeouts.boot, -1s", "server.prefork.timeouts.boot, 0s",
			"server.prefork.timeouts.handoff, 0ms", "server.prefork.timeouts.graceful-shutdown, -5s",
			"server.prefork.overload.backlog, 0", "server.prefork.overload.queue-size, -1",
			"server.prefork.overload.max-queue-wait, 0s", "server.prefork.overload.retry-after, -1s",
			"server.prefork.pool.max-workers, 1", "server.prefork.pool.max-workers, 0",
			"server.prefork.pool.max-workers, 1025", "server.prefork.pool.max-spare, 0",
			"server.prefork.pool.min-spare, -1", "server.prefork.pool.idle-timeout, 0s",
			"server.prefork.pool.idle-timeout, -1s", "server.prefork.pool.max-starting, 0",
			"server.prefork.timeouts.heartbeat, 1999ms", "server.prefork.timeouts.heartbeat, 1s",
			"server.prefork.timeouts.heartbeat, 0s", "server.prefork.timeouts.request, 0s",
			"server.prefork.timeouts.request, -1s", "server.prefork.worker.max-requests, -1",
			"server.prefork.worker.max-requests-jitter, -1", "server.prefork.worker.max-rss, 0",
			"server.prefork.worker.max-rss, 0MB", "server.prefork.worker.max-age, 0s",
			"server.prefork.worker.max-age, -1m", "server.prefork.worker.max-heap, 15MB",
			"server.prefork.container.memory-limit, 63MB", "server.prefork.container.non-heap, 15MB" })
	void rejectsAnInvalidValueNamingTheProperty(String property, String value) {
		assertRejected(Map.of(property, value), property);
	}

	@Test
	void bindsTheUserAndGroupWorkersRunAs() {
		PreforkSettings settings = bind(Map.of("server.prefork.user", "www-data", "server.prefork.group", "1001"))
			.toSettings(null, 80);
		assertThat(settings.runAs()).isEqualTo(new PreforkSettings.RunAs("www-data", "1001"));
		assertThat(settings.runAs().dropsPrivileges()).isTrue();
	}

	@Test
	void workersRunAsTheMastersUserByDefault() {
		assertThat(bind(Map.of()).toSettings(null, 80).runAs()).isEqualTo(PreforkSettings.RunAs.MASTER);
	}

	@Test
	void keepsClassDataArchivesWhereTheWorkersUserReachesThemByDefault() {
		assertThat(bind(Map.of("server.prefork.user", "app")).toSettings(null, 80).worker().cds().directory())
			.isEqualTo(Path.of("/var/cache/prefork/app"));
		assertThat(bind(Map.of("server.prefork.user", "app", "server.prefork.worker.cds.directory", "/srv/cds"))
			.toSettings(null, 80).worker().cds().directory()).isEqualTo(Path.of("/srv/cds"));
	}

	@ParameterizedTest
	@CsvSource({ "server.prefork.user, ''", "server.prefork.user, a b", "server.prefork.user, app:app",
			"server.prefork.user, ../app", "server.prefork.user, -app" })
	void rejectsAnUnusableUserNamingTheProperty(String property, String value) {
		assertRejected(Map.of(property, value), property);
	}

	@Test
	void rejectsAGroupWithoutAUser() {
		assertRejected(Map.of("server.prefork.group", "www-data"), "server.prefork.group");
		assertRejected(Map.of("server.prefork.user", "app", "server.prefork.group", "a,b"), "server.prefork.group");
	}

	@Test
	void rejectsMaxWorkersBelowWorkers() {
		assertRejected(Map.of("server.prefork.workers", "4", "server.prefork.pool.max-workers", "3"),
				"server.prefork.pool.max-workers");
	}

	@Test
	void acceptsMaxWorkersEqualToWorkers() {
		PreforkProperties properties = bind(
				Map.of("server.prefork.workers", "4", "server.prefork.pool.max-workers", "4"));
		assertThat(properties.toSettings(null, 8080).pool().maxWorkers()).isEqualTo(4);
	}

	@Test
	void rejectsMaxSpareBelowMinSpare() {
		assertRejected(Map.of("server.prefork.pool.min-spare", "3", "server.prefork.pool.max-spare", "2"),
				"server.prefork.pool.max-spare");
	}

	@Test
	void rejectsMaxSpareZeroEvenWithMinSpareZero() {
		assertRejected(Map.of("server.prefork.pool.min-spare", "0", "server.prefork.pool.max-spare", "0"),
				"server.prefork.pool.max-spare");
	}

	@Test
	void acceptsMinSpareZeroAndMaxSpareEqualToMinSpare() {
		assertThat(bind(Map.of("server.prefork.pool.min-spare", "0")).toSettings(null, 8080).pool().minSpare())
			.isZero();
		PreforkSettings.Pool pool = bind(
				Map.of("server.prefork.pool.min-spare", "4", "server.prefork.pool.max-spare", "4"))
			.toSettings(null, 8080)
			.pool();
		assertThat(pool.minSpare()).isEqualTo(4);
		assertThat(pool.maxSpare()).isEqualTo(4);
	}

	@ParameterizedTest
	@CsvSource({ "70000", "-1" })
	void rejectsAnInvalidPort(int port) {
		assertThatExceptionOfType(InvalidPropertyException.class)
			.isThrownBy(() -> bind(Map.of()).toSettings(null, port))
			.satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo("server.port"))
			.withMessage("Invalid value '" + port + "' for property 'server.port': must be between 0 and 65535.");
	}

	@Test
	void stickySessionsAreOnByDefaultWithPassFd() {
		PreforkSettings.Sessions sessions = bind(Map.of()).toSettings(null, 8080).sessions();
		assertThat(sessions).isEqualTo(
				new PreforkSettings.Sessions(true, "JSESSIONID", "jsessionid", Duration.ofMillis(100)));
	}

	@Test
	void stickySessionsAreOffByDefaultWhereTheMasterNeverSeesARequest() {
		assertThat(bind(Map.of("server.prefork.dispatch", "shared-accept")).toSettings(null, 8080).sessions().sticky())
			.isFalse();
		assertThat(bind(Map.of("server.prefork.dispatch", "accept-on-command")).usesStickySessions()).isFalse();
	}

	@Test
	void stickySessionsCanBeTurnedOffAndThePeekTimeoutSet() {
		PreforkSettings.Sessions sessions = bind(
				Map.of("server.prefork.sticky-sessions", "false", "server.prefork.timeouts.session-peek", "250ms"))
			.toSettings(null, 8080, "SESSION")
			.sessions();
		assertThat(sessions).isEqualTo(new PreforkSettings.Sessions(false, "SESSION", "SESSION", Duration.ofMillis(250)));
	}

	@Test
	void stickySessionsAskedForWithoutPassFdAreRejected() {
		assertRejected(Map.of("server.prefork.sticky-sessions", "true", "server.prefork.dispatch", "shared-accept"),
				"server.prefork.sticky-sessions");
	}

	@Test
	void rejectsANonPositiveSessionPeek() {
		assertRejected(Map.of("server.prefork.timeouts.session-peek", "0s"), "server.prefork.timeouts.session-peek");
	}

	@Test
	void hasNoWarmupByDefault() {
		PreforkProperties properties = bind(Map.of());
		assertThat(properties.getWorker().getWarmup().toSettings()).isEqualTo(PreforkSettings.Warmup.NONE);
		assertThat(PreforkSettings.Warmup.NONE.enabled()).isFalse();
		properties.toSettings(null, 8080);
	}

	@Test
	void bindsTheWarmupWithDefaultsForWhatIsNotSet() {
		PreforkProperties properties = bind(Map.of("server.prefork.worker.warmup.paths", "/,/owners?lastName="));
		properties.toSettings(null, 8080);
		PreforkSettings.Warmup warmup = properties.getWorker().getWarmup().toSettings();
		assertThat(warmup).isEqualTo(
				new PreforkSettings.Warmup(List.of("/", "/owners?lastName="), 200, 4, Duration.ofSeconds(30), true));
		assertThat(warmup.enabled()).isTrue();
	}

	@Test
	void bindsTheWholeWarmupGroup() {
		PreforkProperties properties = bind(Map.of("server.prefork.worker.warmup.paths[0]", "/a,b",
				"server.prefork.worker.warmup.paths[1]", "/cpu?ms=1", "server.prefork.worker.warmup.requests", "50",
				"server.prefork.worker.warmup.concurrency", "2", "server.prefork.worker.warmup.timeout", "5s",
				"server.prefork.worker.warmup.until-compiled", "false"));
		assertThat(properties.getWorker().getWarmup().toSettings())
			.isEqualTo(new PreforkSettings.Warmup(List.of("/a,b", "/cpu?ms=1"), 50, 2, Duration.ofSeconds(5), false));
	}

	@ParameterizedTest
	@CsvSource(delimiter = '|', value = { "server.prefork.worker.warmup.paths | hello",
			"server.prefork.worker.warmup.paths | '/a b'", "server.prefork.worker.warmup.requests | 0",
			"server.prefork.worker.warmup.requests | 1000001", "server.prefork.worker.warmup.concurrency | 0",
			"server.prefork.worker.warmup.concurrency | 1025", "server.prefork.worker.warmup.timeout | 0s",
			"server.prefork.worker.warmup.timeout | -1s" })
	void rejectsAnInvalidWarmupValueNamingTheProperty(String property, String value) {
		Map<String, String> values = new HashMap<>(Map.of(property, value));
		values.putIfAbsent("server.prefork.worker.warmup.paths", "/hello");
		assertRejected(values, property);
	}

	@Test
	void acceptsAWarmupLongerThanTheBootTimeoutWhichEndsWhereTheWarmupBegins() {
		assertThat(bind(Map.of("server.prefork.worker.warmup.paths", "/", "server.prefork.timeouts.boot", "20s",
				"server.prefork.worker.warmup.timeout", "3m")).toSettings(null, 8080).timeouts().boot())
			.isEqualTo(Duration.ofSeconds(20));
	}

	private static void assertRejected(Map<String, String> values, String property) {
		PreforkProperties properties = bind(values);
		assertThatExceptionOfType(InvalidPropertyException.class).isThrownBy(() -> properties.toSettings(null, 8080))
			.satisfies((ex) -> assertThat(ex.getProperty()).isEqualTo(property))
			.withMessageContaining("'" + property + "'")
			.satisfies((ex) -> assertThat(ex.getAction()).contains(property));
	}

	private static PreforkProperties bind(Map<String, String> properties) {
		return new Binder(new MapConfigurationPropertySource(properties)).bindOrCreate("server.prefork",
				PreforkProperties.class);
	}

}
