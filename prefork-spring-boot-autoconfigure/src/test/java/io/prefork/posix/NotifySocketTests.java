package io.prefork.posix;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class NotifySocketTests {

	@TempDir
	Path temp;

	@Test
	void sendsADatagramToASocketPath() throws Exception {
		String path = this.temp.resolve("notify").toString();
		assertThat(receiveAfter(path, () -> NotifySocket.send(path, "READY=1\nSTATUS=ok"))).isEqualTo("READY=1\nSTATUS=ok");
	}

	@Test
	void sendsADatagramToAnAbstractSocket() throws Exception {
		String name = "@prefork-notify-test-" + ProcessHandle.current().pid();
		assertThat(receiveAfter(name, () -> NotifySocket.send(name, "STOPPING=1"))).isEqualTo("STOPPING=1");
	}

	@Test
	void encodesAnAbstractNameWithALeadingNulAndNoTrailingOne() {
		byte[] address = NotifySocket.address("@sd");
		assertThat(address).hasSize(5);
		assertThat(address[2]).isZero();
		assertThat(new String(address, 3, 2, StandardCharsets.US_ASCII)).isEqualTo("sd");
		assertThat(NotifySocket.address("/run/n")).hasSize(2 + 6 + 1).endsWith(0);
	}

	@Test
	void rejectsARelativeOrOverlongName() {
		assertThatIllegalArgumentException().isThrownBy(() -> NotifySocket.address("run/notify"));
		assertThatIllegalArgumentException().isThrownBy(() -> NotifySocket.address("/" + "x".repeat(200)));
	}

	private static String receiveAfter(String name, Send send) throws Exception {
		int fd = LibC.INSTANCE.socket(Linux.AF_UNIX, Linux.SOCK_DGRAM | Linux.SOCK_CLOEXEC, 0);
		try {
			byte[] address = NotifySocket.address(name);
			assertThat(LibC.INSTANCE.bind(fd, address, address.length)).isZero();
			send.run();
			byte[] buffer = new byte[256];
			int length = FileDescriptors.readNow(fd, buffer);
			assertThat(length).isPositive();
			return new String(buffer, 0, length, StandardCharsets.UTF_8);
		}
		finally {
			LibC.INSTANCE.close(fd);
		}
	}

	@FunctionalInterface
	private interface Send {

		void run() throws Exception;

	}

}
