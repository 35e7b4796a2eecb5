package io.prefork.master;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.prefork.scoreboard.Scoreboard;
import io.prefork.scoreboard.ScoreboardJson;

/**
 * The master's own status page: the scoreboard as JSON, answered by the master itself, so it
 * works even when every worker is stuck (PHP-FPM's {@code pm.status_listen}). Reads only the
 * scoreboard, on its own thread; never touches pool state.
 */
final class StatusListener implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(StatusListener.class);

	private final HttpServer server;

	private StatusListener(HttpServer server) {
		this.server = server;
	}

	static StatusListener start(InetSocketAddress address, Scoreboard scoreboard) throws IOException {
		HttpServer server = HttpServer.create(address, 16);
		server.createContext("/", (exchange) -> answer(exchange, scoreboard));
		server.setExecutor(Executors.newSingleThreadExecutor((task) -> {
			Thread thread = new Thread(task, "prefork-master-status");
			thread.setDaemon(true);
			return thread;
		}));
		server.start();
		logger.info("Prefork status listener on http://" + address.getAddress().getHostAddress() + ":"
				+ server.getAddress().getPort() + "/");
		return new StatusListener(server);
	}

	private static void answer(HttpExchange exchange, Scoreboard scoreboard) throws IOException {
		try (exchange) {
			if (!"GET".equals(exchange.getRequestMethod())) {
				exchange.sendResponseHeaders(405, -1);
				return;
			}
			byte[] body = ScoreboardJson.write(scoreboard.snapshot(), System.currentTimeMillis())
				.getBytes(StandardCharsets.UTF_8);
			exchange.getResponseHeaders().add("Content-Type", "application/json");
			exchange.sendResponseHeaders(200, body.length);
			try (OutputStream out = exchange.getResponseBody()) {
				out.write(body);
			}
		}
	}

	@Override
	public void close() {
		this.server.stop(0);
	}

}
