package io.prefork.protocol;

import org.junit.jupiter.api.Test;

import io.prefork.DispatchMode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class WorkerIdentityTests {

	@Test
	void encodesAsNameValuePairs() {
		assertThat(new WorkerIdentity(1, 3, 8080, 0, DispatchMode.ACCEPT_ON_COMMAND, 2, "/tmp/p/scoreboard").encode())
			.isEqualTo("slot=1,generation=3,port=8080,dispatch=accept-on-command,row=2,scoreboard=/tmp/p/scoreboard");
	}

	@Test
	void parsesWhatItEncodes() {
		WorkerIdentity identity = new WorkerIdentity(12, 345, 65535, 0, DispatchMode.SHARED_ACCEPT, 7,
				"/tmp/a dir, with=odd characters/scoreboard");
		assertThat(WorkerIdentity.parse(identity.encode())).isEqualTo(identity);
	}

	@Test
	void carriesASeparateManagementPort() {
		WorkerIdentity identity = new WorkerIdentity(0, 0, 8080, 8081, DispatchMode.PASS_FD, 0, "/s");
		assertThat(identity.encode())
			.isEqualTo("slot=0,generation=0,port=8080,management-port=8081,dispatch=pass-fd,row=0,scoreboard=/s");
		assertThat(WorkerIdentity.parse(identity.encode())).isEqualTo(identity);
	}

	@Test
	void carriesWhetherTheWorkerSkipsDatabaseInitialisation() {
		WorkerIdentity identity = new WorkerIdentity(1, 0, 8080, 0, DispatchMode.PASS_FD, 1, "/s", false);
		assertThat(identity.encode()).isEqualTo("slot=1,generation=0,port=8080,dispatch=pass-fd,row=1,sql-init=skip,"
				+ "scoreboard=/s");
		assertThat(WorkerIdentity.parse(identity.encode())).isEqualTo(identity);
		assertThat(new WorkerIdentity(1, 0, 8080, 0, DispatchMode.PASS_FD, 1, "/s").initialises()).isTrue();
	}

	@Test
	void parsesFieldsInAnyOrderAndToleratesSpaces() {
		assertThat(WorkerIdentity.parse(" port = 9000 ,dispatch=pass-fd,row=1,slot=0, generation=2,scoreboard=/s"))
			.isEqualTo(new WorkerIdentity(0, 2, 9000, 0, DispatchMode.PASS_FD, 1, "/s"));
	}

	@Test
	void rejectsAMissingField() {
		assertThatExceptionOfType(ProtocolException.class).isThrownBy(() -> WorkerIdentity.parse("slot=1,generation=3"))
			.withMessage("PREFORK_WORKER lacks 'port'");
	}

	@Test
	void rejectsAValueThatIsNotANumber() {
		assertThatExceptionOfType(ProtocolException.class)
			.isThrownBy(() -> WorkerIdentity.parse("slot=1,generation=x3,port=8080,dispatch=pass-fd,row=0,scoreboard=/s"))
			.withMessage("PREFORK_WORKER field 'generation=x3' is not a number");
	}

	@Test
	void rejectsAFieldWithoutEqualsSign() {
		assertThatExceptionOfType(ProtocolException.class)
			.isThrownBy(() -> WorkerIdentity.parse("slot=1,generation=3,port,dispatch=pass-fd,row=0,scoreboard=/s"))
			.withMessage("PREFORK_WORKER field 'port' is not name=value");
	}

	@Test
	void rejectsAnUnknownDispatchMode() {
		assertThatExceptionOfType(ProtocolException.class)
			.isThrownBy(() -> WorkerIdentity.parse("slot=1,generation=3,port=80,dispatch=carrier-pigeon,row=0,scoreboard=/s"))
			.withMessage("PREFORK_WORKER: Unknown dispatch mode 'carrier-pigeon'");
	}

	@Test
	void rejectsAnEmptyValue() {
		assertThatExceptionOfType(ProtocolException.class).isThrownBy(() -> WorkerIdentity.parse(""))
			.withMessage("PREFORK_WORKER lacks 'slot'");
	}

}
