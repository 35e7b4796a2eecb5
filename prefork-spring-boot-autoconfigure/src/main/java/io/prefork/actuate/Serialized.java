package io.prefork.actuate;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;

/**
 * Java serialization of the pool calls' requests and answers between workers of one
 * application. Only the pool's workers write the files (in a directory of mode 0700), and a
 * filter still admits nothing but these records and the JDK's plain values.
 */
final class Serialized {

	private static final ObjectInputFilter FILTER = ObjectInputFilter.Config
		.createFilter("maxdepth=16;maxbytes=1048576;io.prefork.actuate.*;java.lang.*;java.math.*;java.util.*;!*");

	private Serialized() {
	}

	static byte[] toBytes(Serializable value) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
			out.writeObject(value);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return bytes.toByteArray();
	}

	static <T> T fromBytes(byte[] bytes, Class<T> type) {
		try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
			in.setObjectInputFilter(FILTER);
			return type.cast(in.readObject());
		}
		catch (IOException | ClassNotFoundException ex) {
			throw new IllegalArgumentException("Not a pool call message: " + ex, ex);
		}
	}

}
