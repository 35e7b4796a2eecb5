package io.prefork.actuate;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import java.util.function.Supplier;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.OperationType;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

/**
 * What an actuator operation answered in one worker, as its HTTP response would have it.
 *
 * @param status the status code
 * @param body the body when it is text (a scrape), else {@code null}; the reason of a
 * failure
 * @param value what the endpoint's {@link PoolRead} shares of the result, or {@code null}
 */
record OperationAnswer(int status, String body, Serializable value) implements Serializable {

	OperationAnswer(int status, String body) {
		this(status, body, null);
	}

	OperationAnswer withValue(Serializable value) {
		return new OperationAnswer(this.status, this.body, value);
	}

	/**
	 * Run an operation and answer as the web layer would: {@code null} is 204 for a write
	 * or delete and 404 for a read, a bad argument 400, a failure 500.
	 * @param operation the operation
	 * @param type its type
	 * @return the answer
	 */
	static OperationAnswer run(Supplier<Object> operation, OperationType type) {
		return run(operation, type, (result) -> null);
	}

	/**
	 * Run an operation like {@link #run(Supplier, OperationType)}, keeping what a pool-wide
	 * read needs of its result.
	 * @param operation the operation
	 * @param type its type
	 * @param share what of the result to keep
	 * @return the answer
	 */
	static OperationAnswer run(Supplier<Object> operation, OperationType type, Function<Object, Serializable> share) {
		try {
			Object result = operation.get();
			return of(result, type).withValue(share.apply(result));
		}
		catch (InvalidEndpointRequestException ex) {
			return new OperationAnswer(WebEndpointResponse.STATUS_BAD_REQUEST, ex.getReason());
		}
		catch (RuntimeException ex) {
			return new OperationAnswer(WebEndpointResponse.STATUS_INTERNAL_SERVER_ERROR, ex.toString());
		}
	}

	static OperationAnswer of(Object result, OperationType type) {
		if (result == null) {
			return new OperationAnswer((type != OperationType.READ) ? WebEndpointResponse.STATUS_NO_CONTENT
					: WebEndpointResponse.STATUS_NOT_FOUND, null);
		}
		if (result instanceof WebEndpointResponse<?> response) {
			Object body = response.getBody();
			return new OperationAnswer(response.getStatus(), (body instanceof byte[] bytes)
					? new String(bytes, StandardCharsets.UTF_8) : (body instanceof String text) ? text : null);
		}
		return new OperationAnswer(WebEndpointResponse.STATUS_OK, null);
	}

	byte[] toBytes() {
		return Serialized.toBytes(this);
	}

	/**
	 * Read an answer; an empty or missing one is a handler that failed.
	 * @param bytes the bytes, or {@code null}
	 * @return the answer
	 */
	static OperationAnswer fromBytes(byte[] bytes) {
		return (bytes != null && bytes.length > 0) ? Serialized.fromBytes(bytes, OperationAnswer.class)
				: new OperationAnswer(500, "the operation failed in that worker (see its log)");
	}

}
