package io.prefork.scoreboard;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileChannel.MapMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A separate raw mapping of a scoreboard file, standing in for another process.
 */
final class RawMapping {

	private RawMapping() {
	}

	static ByteBuffer map(Path file) {
		try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
			return channel.map(MapMode.READ_WRITE, 0, Files.size(file)).order(ByteOrder.nativeOrder());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
