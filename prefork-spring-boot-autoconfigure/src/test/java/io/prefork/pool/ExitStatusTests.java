package io.prefork.pool;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ExitStatusTests {

	@Test
	void decodesANormalExit() {
		assertThat(ExitStatus.fromWaitStatus(0)).isEqualTo(new ExitStatus(0, 0));
		assertThat(ExitStatus.fromWaitStatus(0).describe()).isEqualTo("exited with code 0");
	}

	@Test
	void decodesAnExitCode() {
		assertThat(ExitStatus.fromWaitStatus(1 << 8)).isEqualTo(new ExitStatus(1, 0));
		assertThat(ExitStatus.fromWaitStatus(1 << 8).describe()).isEqualTo("exited with code 1");
	}

	@Test
	void decodesTheExitCodeOfAJvmThatHandledSigterm() {
		assertThat(ExitStatus.fromWaitStatus(143 << 8)).isEqualTo(new ExitStatus(143, 0));
		assertThat(ExitStatus.fromWaitStatus(143 << 8).describe()).isEqualTo("exited with code 143");
	}

	@Test
	void decodesSigkill() {
		assertThat(ExitStatus.fromWaitStatus(9)).isEqualTo(new ExitStatus(-1, 9));
		assertThat(ExitStatus.fromWaitStatus(9).describe()).isEqualTo("killed by signal 9 (SIGKILL)");
	}

	@Test
	void decodesSigterm() {
		assertThat(ExitStatus.fromWaitStatus(15)).isEqualTo(new ExitStatus(-1, 15));
		assertThat(ExitStatus.fromWaitStatus(15).describe()).isEqualTo("killed by signal 15 (SIGTERM)");
	}

	@Test
	void ignoresTheCoreDumpFlag() {
		int segvWithCore = 11 | 0x80;
		assertThat(ExitStatus.fromWaitStatus(segvWithCore)).isEqualTo(new ExitStatus(-1, 11));
		assertThat(ExitStatus.fromWaitStatus(segvWithCore).describe()).isEqualTo("killed by signal 11 (SIGSEGV)");
	}

	@Test
	void describesASignalWithoutAKnownName() {
		assertThat(ExitStatus.fromWaitStatus(40)).isEqualTo(new ExitStatus(-1, 40));
		assertThat(ExitStatus.fromWaitStatus(40).describe()).isEqualTo("killed by signal 40");
	}

	@Test
	void sigkillAndTheJvmsExitsForHangupInterruptAndTerminateAreKillsFromOutside() {
		assertThat(ExitStatus.fromWaitStatus(9).killedFromOutside()).isTrue();
		assertThat(ExitStatus.fromWaitStatus(15).killedFromOutside()).isTrue();
		assertThat(ExitStatus.fromWaitStatus(143 << 8).killedFromOutside()).isTrue();
		assertThat(ExitStatus.fromWaitStatus(130 << 8).killedFromOutside()).isTrue();
		assertThat(ExitStatus.fromWaitStatus(129 << 8).killedFromOutside()).isTrue();
	}

	@Test
	void exitsAndCrashesOfTheProcessItselfAreNotKillsFromOutside() {
		assertThat(ExitStatus.fromWaitStatus(0).killedFromOutside()).isFalse();
		assertThat(ExitStatus.fromWaitStatus(1 << 8).killedFromOutside()).isFalse();
		assertThat(ExitStatus.fromWaitStatus(70 << 8).killedFromOutside()).isFalse();
		assertThat(ExitStatus.fromWaitStatus(134 << 8).killedFromOutside()).isFalse();
		assertThat(ExitStatus.fromWaitStatus(6).killedFromOutside()).isFalse();
		assertThat(ExitStatus.fromWaitStatus(11).killedFromOutside()).isFalse();
	}

}
