package io.prefork.worker.tomcat;

import java.io.IOException;
import java.util.function.IntPredicate;

import jakarta.servlet.ServletException;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;

import io.prefork.routing.SessionRoute;

/**
 * Sends a request for a session another live worker holds back through the master: it
 * answers {@code 307 Temporary Redirect} to the same URL and closes the connection, so the
 * client repeats the request (method and body included) on a new connection, which the
 * master routes by its session cookie. This happens when a connection reached this worker
 * before its session existed or before its request head did (a browser's pooled or
 * pre-opened connection); without it, the request would find no session here.
 */
public class SessionRouteValve extends ValveBase {

	private final int ownSlot;

	private final int slots;

	private final IntPredicate served;

	/**
	 * Create the valve.
	 * @param ownSlot this worker's slot
	 * @param slots the number of slots there are
	 * @param served whether a slot has a worker serving now
	 */
	public SessionRouteValve(int ownSlot, int slots, IntPredicate served) {
		super(true);
		this.ownSlot = ownSlot;
		this.slots = slots;
		this.served = served;
	}

	@Override
	public void invoke(Request request, Response response) throws IOException, ServletException {
		String sessionId = request.getRequestedSessionId();
		if (sessionId != null && !request.isRequestedSessionIdValid()) {
			int slot = SessionRoute.slotOf(sessionId, this.slots);
			if (slot >= 0 && slot != this.ownSlot && this.served.test(slot)) {
				String query = request.getQueryString();
				response.setStatus(307);
				response.setHeader("Location", request.getRequestURI() + ((query != null) ? "?" + query : ""));
				response.setHeader("Connection", "close");
				response.setContentLength(0);
				return;
			}
		}
		getNext().invoke(request, response);
	}

}
