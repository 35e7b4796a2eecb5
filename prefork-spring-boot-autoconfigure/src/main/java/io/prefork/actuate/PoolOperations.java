package io.prefork.actuate;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.actuate.endpoint.InvocationContext;
import org.springframework.boot.actuate.endpoint.OperationType;
import org.springframework.boot.actuate.endpoint.ProducibleOperationArgumentResolver;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.invoke.OperationInvoker;
import org.springframework.boot.actuate.endpoint.invoke.OperationInvokerAdvisor;
import org.springframework.boot.actuate.endpoint.invoke.OperationParameter;
import org.springframework.boot.actuate.endpoint.invoke.OperationParameters;
import org.springframework.util.ClassUtils;

import io.prefork.worker.PoolLoggerLevels;

/**
 * Makes actuator operations pool-wide: every write and delete operation, except those of
 * per-worker endpoints and the prefork endpoint (which already acts on the whole pool),
 * also runs in every other worker, and the metrics reads show every worker's meters.
 * Remembers each operation's own invoker, which runs the calls other workers send here,
 * and the logger levels set this way, which new workers start with.
 */
public class PoolOperations implements OperationInvokerAdvisor {

	private static final Log logger = LogFactory.getLog(PoolOperations.class);

	private static final String LOGGERS = "loggers";

	/** The reads that answer for the whole pool, by endpoint. */
	private static final Map<String, PoolRead> READS = reads();

	private final Map<OperationKey, OperationInvoker> local = new ConcurrentHashMap<>();

	private final PoolCaller pool;

	private final int slot;

	private final Set<String> perWorkerEndpoints;

	private final PoolLoggerLevels loggerLevels;

	private final Runnable discoverEndpoints;

	/**
	 * Create the advisor.
	 * @param pool runs calls on the other workers
	 * @param slot this worker's slot
	 * @param perWorkerEndpoints ids of endpoints whose operations stay in one worker
	 * @param loggerLevels where the levels set for the pool are kept
	 * @param discoverEndpoints discovers the web endpoints (so their invokers are known)
	 */
	public PoolOperations(PoolCaller pool, int slot, Set<String> perWorkerEndpoints, PoolLoggerLevels loggerLevels,
			Runnable discoverEndpoints) {
		this.pool = pool;
		this.slot = slot;
		this.perWorkerEndpoints = Set.copyOf(perWorkerEndpoints);
		this.loggerLevels = loggerLevels;
		this.discoverEndpoints = discoverEndpoints;
	}

	@Override
	public OperationInvoker apply(EndpointId endpointId, OperationType operationType, OperationParameters parameters,
			OperationInvoker invoker) {
		OperationKey key = new OperationKey(endpointId.toString(), operationType,
				parameters.stream().map(OperationParameter::getName).toList());
		this.local.putIfAbsent(key, invoker);
		PoolRead read = READS.get(key.endpoint());
		if (operationType == OperationType.READ && read != null) {
			return new PoolWideRead(key, invoker, this.pool, this.slot, read);
		}
		if (operationType == OperationType.READ || this.perWorkerEndpoints.contains(key.endpoint())
				|| key.endpoint().equals(PreforkEndpoint.ID)) {
			return invoker;
		}
		return new PoolWideWrite(key, invoker, this.pool, this.slot, this::applied);
	}

	private static Map<String, PoolRead> reads() {
		Map<String, PoolRead> reads = new HashMap<>();
		reads.put(PrometheusPoolRead.ID, new PrometheusPoolRead());
		if (ClassUtils.isPresent(MetricsPoolRead.ENDPOINT_CLASS, PoolOperations.class.getClassLoader())) {
			reads.put(MetricsPoolRead.ID, new MetricsPoolRead());
		}
		return reads;
	}

	/**
	 * Run an operation another worker asked for, here only.
	 * @param request the {@link OperationCall}
	 * @return the {@link OperationAnswer}
	 */
	public byte[] run(byte[] request) {
		OperationCall call = OperationCall.fromBytes(request);
		OperationInvoker invoker = invoker(call.key());
		if (invoker == null) {
			return new OperationAnswer(404, "no " + call.key() + " in worker " + this.slot).toBytes();
		}
		// Its caller's worker checked access; a produced format is the default one, which the
		// pool's merged answers are made of.
		InvocationContext context = new InvocationContext(SecurityContext.NONE, call.arguments(),
				new ProducibleOperationArgumentResolver(List::of));
		PoolRead read = READS.get(call.endpoint());
		return OperationAnswer.run(() -> invoker.invoke(context), call.key().type(),
				(result) -> (read != null) ? read.share(call.key(), result) : null).toBytes();
	}

	// With a separate management port the endpoints are discovered only when the management
	// context starts, which may be after the first call.
	private OperationInvoker invoker(OperationKey key) {
		OperationInvoker invoker = this.local.get(key);
		if (invoker == null) {
			this.discoverEndpoints.run();
			invoker = this.local.get(key);
		}
		return invoker;
	}

	private void applied(OperationKey key, Map<String, Object> arguments) {
		if (key.endpoint().equals(LOGGERS) && key.type() == OperationType.WRITE && arguments.get("name") != null) {
			Object level = arguments.get("configuredLevel");
			try {
				this.loggerLevels.record(arguments.get("name").toString(), (level != null) ? level.toString() : null);
			}
			catch (IOException ex) {
				logger.warn("Cannot record the level of logger " + arguments.get("name")
						+ " for workers started later: " + ex.getMessage());
			}
		}
	}

}
