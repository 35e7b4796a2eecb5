package io.prefork.actuate;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.OperationType;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class OperationAnswerTests {

	@Test
	void answersAsTheWebLayerWould() {
		assertThat(OperationAnswer.of(null, OperationType.WRITE)).isEqualTo(new OperationAnswer(204, null));
		assertThat(OperationAnswer.of(null, OperationType.READ)).isEqualTo(new OperationAnswer(404, null));
		assertThat(OperationAnswer.of(Map.of("a", 1), OperationType.DELETE)).isEqualTo(new OperationAnswer(200, null));
		assertThat(OperationAnswer.of(new WebEndpointResponse<>("# TYPE x gauge\n".getBytes(StandardCharsets.UTF_8)),
				OperationType.READ))
			.isEqualTo(new OperationAnswer(200, "# TYPE x gauge\n"));
		assertThat(OperationAnswer.run(() -> {
			throw new InvalidEndpointRequestException("bad", "no such level");
		}, OperationType.WRITE)).isEqualTo(new OperationAnswer(400, "no such level"));
		assertThat(OperationAnswer.run(() -> {
			throw new IllegalStateException("boom");
		}, OperationType.WRITE).status()).isEqualTo(500);
	}

	@Test
	void aCallAndAnAnswerCrossBetweenWorkersUnchanged() {
		HashMap<String, Object> arguments = new HashMap<>();
		arguments.put("name", "io.prefork");
		arguments.put("configuredLevel", null);
		arguments.put("path", new String[] { "a", "b" });
		arguments.put("body", Map.of("list", List.of(1, 2.5, true)));
		OperationKey key = new OperationKey("loggers", OperationType.WRITE, List.of("name", "configuredLevel"));
		OperationCall call = OperationCall.fromBytes(new OperationCall(key, arguments).toBytes());
		assertThat(call.key()).isEqualTo(key);
		assertThat(call.arguments()).containsEntry("name", "io.prefork").containsEntry("configuredLevel", null)
			.containsEntry("body", Map.of("list", List.of(1, 2.5, true)));
		assertThat((String[]) call.arguments().get("path")).containsExactly("a", "b");
		OperationAnswer answer = new OperationAnswer(200, "text");
		assertThat(OperationAnswer.fromBytes(answer.toBytes())).isEqualTo(answer);
	}

	@Test
	void readsNothingButItsOwnRecordsAndPlainValues() {
		byte[] foreign = Serialized.toBytes(new java.io.File("/tmp"));
		assertThatIllegalArgumentException().isThrownBy(() -> OperationCall.fromBytes(foreign));
		assertThat(OperationAnswer.fromBytes(new byte[0]).status()).isEqualTo(500);
		assertThat(OperationAnswer.fromBytes(null).status()).isEqualTo(500);
	}

}
