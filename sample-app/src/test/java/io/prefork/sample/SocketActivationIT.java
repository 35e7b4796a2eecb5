package io.prefork.sample;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The test plays systemd: a python3 wrapper binds a listening socket on a free loopback
 * port, puts it at fd 3, sets {@code LISTEN_FDS}, {@code LISTEN_PID} (its own pid, which
 * the master keeps through exec), {@code LISTEN_FDNAMES} and {@code NOTIFY_SOCKET}, and
 * execs the master. Another python3 process receives the notifications.
 */
class SocketActivationIT {

	private static final String SYSTEMD = """
			import os, socket, sys
			port_file, notify = sys.argv[1], sys.argv[2]
			listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
			listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
			listener.bind(("127.0.0.1", 0))
			listener.listen(128)
			if listener.fileno() != 3:
			    os.dup2(listener.fileno(), 3)
			os.set_inheritable(3, True)
			with open(port_file + ".tmp", "w") as f:
			    f.write(str(listener.getsockname()[1]))
			os.rename(port_file + ".tmp", port_file)
			os.environ.update(LISTEN_FDS="1", LISTEN_PID=str(os.getpid()), LISTEN_FDNAMES="web", NOTIFY_SOCKET=notify)
			os.execvp(sys.argv[3], sys.argv[3:])
			""";

	private static final String NOTIFY_RECEIVER = """
			import socket, sys
			receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
			receiver.bind(sys.argv[1])
			while True:
			    message = receiver.recv(4096).decode()
			    with open(sys.argv[2], "a") as f:
			        f.write(message.replace("\\n", " ") + "\\n")
			""";

	private static final Duration NOTIFY_WAIT = Duration.ofSeconds(60);

	@TempDir
	Path temp;

	private Process receiver;

	private Path notifications;

	private Path notifySocket;

	@BeforeEach
	void startNotifyReceiver() throws Exception {
		assumeTrue(new ProcessBuilder("python3", "--version").start().waitFor() == 0, "SocketActivationIT needs python3");
		this.notifySocket = this.temp.resolve("notify.sock");
		this.notifications = this.temp.resolve("notifications.txt");
		Path script = Files.writeString(this.temp.resolve("receiver.py"), NOTIFY_RECEIVER);
		this.receiver = new ProcessBuilder("python3", script.toString(), this.notifySocket.toString(),
				this.notifications.toString()).inheritIO().start();
		long deadline = System.nanoTime() + NOTIFY_WAIT.toNanos();
		while (!Files.exists(this.notifySocket)) {
			assertThat(this.receiver.isAlive()).as("the notification receiver runs").isTrue();
			assertThat(System.nanoTime() - deadline).as("the notification socket is bound in time").isNegative();
			Thread.sleep(50);
		}
	}

	@AfterEach
	void stopNotifyReceiver() throws Exception {
		if (this.receiver != null) {
			this.receiver.destroy();
			this.receiver.waitFor(30, TimeUnit.SECONDS);
		}
	}

	@Test
	void servesTheSocketHandedInAndTellsSystemdWhenReadyAndStopping() throws Exception {
		Path script = Files.writeString(this.temp.resolve("systemd.py"), SYSTEMD);
		Path portFile = this.temp.resolve("port");
		try (PreforkServer server = PreforkServer.startWrapped(
				List.of("python3", script.toString(), portFile.toString(), this.notifySocket.toString()), List.of())) {
			int handedIn = Integer.parseInt(Files.readString(portFile).trim());
			assertThat(server.port()).isEqualTo(handedIn);
			assertThat(server.output()).contains("Serving the listening socket handed in as fd 3 (name 'web', 127.0.0.1:"
					+ handedIn + ") instead of binding server.port");
			// Its only listening socket is the one handed in: it bound nothing itself.
			assertThat(listeningInodes(server.pid())).containsExactly(socketInode(server.pid(), 3));
			server.awaitWorkersReady(2);
			assertThat(RawHttp.getOnce(handedIn, "/hello").status()).isEqualTo(200);
			server.awaitTrue("READY=1", NOTIFY_WAIT, () -> notifications().contains("READY=1 MAINPID=" + server.pid()));
			assertThat(notifications()).doesNotContain("STOPPING=1");
			for (long worker : server.workerPids()) {
				assertThat(environment(worker)).noneMatch((variable) -> variable.startsWith("LISTEN_")
						|| variable.startsWith("NOTIFY_SOCKET="));
			}
			server.signal("TERM");
			server.awaitTrue("STOPPING=1", NOTIFY_WAIT, () -> notifications().contains("STOPPING=1"));
			assertThat(server.process().waitFor(PreforkServer.STARTUP.toSeconds(), TimeUnit.SECONDS)).isTrue();
			assertThat(server.process().exitValue()).isZero();
		}
	}

	private String notifications() {
		try {
			return Files.exists(this.notifications) ? Files.readString(this.notifications) : "";
		}
		catch (IOException ex) {
			return "";
		}
	}

	private static List<String> environment(long pid) throws IOException {
		String raw = new String(Files.readAllBytes(Path.of("/proc/" + pid + "/environ")), StandardCharsets.UTF_8);
		return List.of(raw.split("\0"));
	}

	private static String socketInode(long pid, int fd) throws IOException {
		String link = Files.readSymbolicLink(Path.of("/proc/" + pid + "/fd/" + fd)).toString();
		assertThat(link).startsWith("socket:[");
		return link.substring("socket:[".length(), link.length() - 1);
	}

	// The inodes of the listening TCP sockets among the process's fds.
	private static List<String> listeningInodes(long pid) throws IOException {
		Set<String> own = new HashSet<>();
		try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
			for (Path fd : fds.toList()) {
				try {
					String link = Files.readSymbolicLink(fd).toString();
					if (link.startsWith("socket:[")) {
						own.add(link.substring("socket:[".length(), link.length() - 1));
					}
				}
				catch (IOException ex) {
					// closed meanwhile
				}
			}
		}
		List<String> listening = new ArrayList<>();
		for (String table : List.of("tcp", "tcp6")) {
			for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/net/" + table))) {
				String[] fields = line.trim().split("\\s+");
				if (fields.length > 9 && fields[3].equals("0A") && own.contains(fields[9])) {
					listening.add(fields[9]);
				}
			}
		}
		return listening;
	}

}
