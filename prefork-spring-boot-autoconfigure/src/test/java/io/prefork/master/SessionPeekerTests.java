package io.prefork.master;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import io.prefork.autoconfigure.PreforkProperties;
import io.prefork.posix.FileDescriptors;
import io.prefork.posix.ListeningSocket;
import io.prefork.posix.Poller;
import io.prefork.scoreboard.PoolCounter;
import io.prefork.scoreboard.Scoreboard;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The master's look at new connections, on real loopback sockets: what it decides, that it
 * consumes nothing, and that a partial head does not make poll spin.
 */
class SessionPeekerTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(20);

	private ListeningSocket listener;

	private Scoreboard scoreboard;

	private SessionPeeker peeker;

	private final List<Socket> clients = new ArrayList<>();

	private final List<Integer> accepted = new ArrayList<>();

	private final Poller poller = new Poller(4);

	@BeforeEach
	void start() throws Exception {
		this.listener = ListeningSocket.open(InetAddress.getLoopbackAddress(), 0, 16);
		this.scoreboard = Scoreboard.create(4);
		PreforkProperties properties = new Binder(new MapConfigurationPropertySource(
				Map.of("server.prefork.workers", "2", "server.prefork.timeouts.session-peek", "5s")))
			.bindOrCreate("server.prefork", PreforkProperties.class);
		this.peeker = new SessionPeeker(properties.toSettings(null, 0), this.scoreboard.pool());
	}

	@AfterEach
	void stop() throws IOException {
		for (Socket client : this.clients) {
			client.close();
		}
		this.accepted.forEach(FileDescriptors::close);
		this.listener.close();
		this.scoreboard.close();
	}

	@Test
	void aHeadAlreadyThereIsDecidedAtOnceAndLeftForTheWorker() throws Exception {
		String request = "GET / HTTP/1.1\r\nCookie: JSESSIONID=ABC.w1\r\n\r\n";
		int fd = connect(request);
		awaitPending(fd, request.length());
		SessionPeeker.Routed routed = this.peeker.offer(fd, System.nanoTime());
		assertThat(routed).isNotNull();
		assertThat(routed.slot()).isEqualTo(1);
		assertThat(routed.fd()).isEqualTo(fd);
		assertThat(read(fd)).as("bytes still there for the worker").isEqualTo(request);
		assertThat(this.scoreboard.pool().get(PoolCounter.PEEKS)).isEqualTo(1);
	}

	@Test
	void aHeadArrivingInPartsIsAwaitedWithoutSpinning() throws Exception {
		Socket client = new Socket(InetAddress.getLoopbackAddress(), this.listener.port());
		this.clients.add(client);
		int fd = acceptOne();
		assertThat(this.peeker.offer(fd, System.nanoTime())).as("nothing sent yet").isNull();
		assertThat(readableWithin(0)).as("readable with nothing sent").isZero();
		write(client, "GET /cart HTTP/1.1\r\nHost: x\r\n");
		List<SessionPeeker.Routed> first = awaitReadable();
		assertThat(first).as("a partial head decides nothing").isEmpty();
		assertThat(readableWithin(100)).as("the same partial head polled readable again").isZero();
		write(client, "Cookie: a=b; JSESSIONID=XYZ.w0\r\n\r\n");
		List<SessionPeeker.Routed> second = awaitReadable();
		assertThat(second).extracting(SessionPeeker.Routed::slot).containsExactly(0);
		assertThat(this.peeker.size()).isZero();
	}

	@Test
	void aSilentConnectionGoesToAnyWorkerAfterTheTimeout() throws Exception {
		this.clients.add(new Socket(InetAddress.getLoopbackAddress(), this.listener.port()));
		int fd = acceptOne();
		long acceptedAt = System.nanoTime();
		assertThat(this.peeker.offer(fd, acceptedAt)).isNull();
		long deadline = this.peeker.nextDeadline(acceptedAt + TIMEOUT.toNanos());
		assertThat(deadline - acceptedAt).as("the peek timeout is the next deadline").isEqualTo(5_000_000_000L);
		assertThat(this.peeker.service(this.poller, new int[0], acceptedAt + 4_999_000_000L)).isEmpty();
		List<SessionPeeker.Routed> late = this.peeker.service(this.poller, new int[0], deadline);
		assertThat(late).extracting(SessionPeeker.Routed::slot).containsExactly(-1);
		assertThat(this.scoreboard.pool().get(PoolCounter.PEEK_TIMEOUTS)).isEqualTo(1);
	}

	@Test
	void aClientThatHalfClosesAfterAPartialHeadIsNotWaitedFor() throws Exception {
		Socket client = new Socket(InetAddress.getLoopbackAddress(), this.listener.port());
		this.clients.add(client);
		int fd = acceptOne();
		write(client, "GET / HTTP/1.1\r\nCookie: JSESSIONID=ABC.w1");
		awaitPending(fd, 10);
		assertThat(this.peeker.offer(fd, System.nanoTime())).as("a cookie line not finished").isNull();
		client.shutdownOutput();
		assertThat(awaitReadable()).as("decided once nothing more can come")
			.extracting(SessionPeeker.Routed::slot)
			.containsExactly(-1);
	}

	@Test
	void tlsIsNotWaitedFor() throws Exception {
		Socket client = new Socket(InetAddress.getLoopbackAddress(), this.listener.port());
		this.clients.add(client);
		int fd = acceptOne();
		client.getOutputStream().write(new byte[] { 0x16, 0x03, 0x01 });
		awaitPending(fd, 3);
		assertThat(this.peeker.offer(fd, System.nanoTime())).extracting(SessionPeeker.Routed::slot).isEqualTo(-1);
	}

	private int connect(String request) throws Exception {
		Socket client = new Socket(InetAddress.getLoopbackAddress(), this.listener.port());
		this.clients.add(client);
		write(client, request);
		return acceptOne();
	}

	private int acceptOne() throws Exception {
		long deadline = System.nanoTime() + TIMEOUT.toNanos();
		int fd;
		while ((fd = this.listener.accept()) < 0) {
			assertThat(System.nanoTime() - deadline).as("a connection to accept").isNegative();
			Thread.sleep(5);
		}
		this.accepted.add(fd);
		return fd;
	}

	private static void write(Socket client, String text) throws IOException {
		OutputStream out = client.getOutputStream();
		out.write(text.getBytes(StandardCharsets.US_ASCII));
		out.flush();
	}

	private static void awaitPending(int fd, int bytes) throws InterruptedException {
		long deadline = System.nanoTime() + TIMEOUT.toNanos();
		byte[] buffer = new byte[8192];
		while (FileDescriptors.peekNow(fd, buffer) < bytes) {
			assertThat(System.nanoTime() - deadline).as(bytes + " bytes to arrive").isNegative();
			Thread.sleep(5);
		}
	}

	private static String read(int fd) {
		byte[] buffer = new byte[8192];
		int read = FileDescriptors.readNow(fd, buffer);
		return new String(buffer, 0, Math.max(read, 0), StandardCharsets.US_ASCII);
	}

	// How many waiting connections poll readable within the timeout.
	private int readableWithin(int timeoutMillis) throws Exception {
		this.poller.clear();
		this.peeker.register(this.poller);
		return this.poller.await(timeoutMillis);
	}

	private List<SessionPeeker.Routed> awaitReadable() throws Exception {
		this.poller.clear();
		int[] indices = this.peeker.register(this.poller);
		assertThat(this.poller.await((int) TIMEOUT.toMillis())).as("a waiting connection polled readable")
			.isPositive();
		return this.peeker.service(this.poller, indices, System.nanoTime());
	}

}
