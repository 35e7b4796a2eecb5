package io.prefork.worker.tomcat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Predicate;

import jakarta.servlet.ServletException;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;

import io.prefork.worker.RequestWatch;
import io.prefork.worker.Worker;

/**
 * Reports every request to the worker's {@link RequestWatch}, with a way to answer its
 * client with a 504 should it outlive the request timeout.
 */
public class RequestWatchValve extends ValveBase {

	private static final byte[] TIMEOUT_BODY = "Gateway Timeout: the request ran longer than the server allows.\n"
		.getBytes(StandardCharsets.US_ASCII);

	private final RequestWatch watch;

	private final Predicate<String> isWarmup;

	/**
	 * Create the valve.
	 * @param watch the worker's request watch
	 */
	public RequestWatchValve(RequestWatch watch) {
		this(watch, (header) -> false);
	}

	/**
	 * Create the valve, passing the worker's own warm-up requests by uncounted.
	 * @param watch the worker's request watch
	 * @param isWarmup whether a request with this {@value Worker#WARMUP_HEADER} header
	 * (or {@code null}) is a warm-up request
	 */
	public RequestWatchValve(RequestWatch watch, Predicate<String> isWarmup) {
		super(true);
		this.watch = watch;
		this.isWarmup = isWarmup;
	}

	@Override
	public void invoke(Request request, Response response) throws IOException, ServletException {
		if (this.isWarmup.test(request.getHeader(Worker.WARMUP_HEADER))) {
			// Not the pool's traffic: uncounted, and bounded by the warm-up timeout instead.
			getNext().invoke(request, response);
			return;
		}
		RequestWatch.Request running = this.watch.started(request.getMethod() + " " + request.getRequestURI(),
				() -> answerTimeout(response));
		try {
			getNext().invoke(request, response);
		}
		finally {
			this.watch.finished(running);
		}
	}

	// Runs on the watchdog thread while the request's own thread is stuck in the application,
	// which no longer touches the response it has not started.
	private static boolean answerTimeout(Response response) {
		if (response.isCommitted()) {
			return false;
		}
		try {
			response.reset();
			response.setStatus(504);
			response.setHeader("Connection", "close");
			response.setContentType("text/plain;charset=US-ASCII");
			response.setContentLength(TIMEOUT_BODY.length);
			response.getOutputStream().write(TIMEOUT_BODY);
			response.flushBuffer();
			return true;
		}
		catch (IOException | IllegalStateException ex) {
			return false;
		}
	}

}
