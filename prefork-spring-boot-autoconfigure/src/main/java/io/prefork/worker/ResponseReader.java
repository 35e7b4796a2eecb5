package io.prefork.worker;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;

/**
 * Reads one HTTP/1.1 response to a GET off a keep-alive connection: its status, and its
 * body skipped by Content-Length, chunks or the connection's end. Just enough HTTP for the
 * warm-up's own requests to its own Tomcat.
 */
final class ResponseReader {

	/** The longest status, header or chunk-size line accepted. */
	private static final int MAX_LINE = 16 * 1024;

	private ResponseReader() {
	}

	/**
	 * Read a response.
	 * @param input the connection, buffered
	 * @return its status and whether the connection ends with it
	 * @throws IOException if the connection fails or the response is malformed
	 */
	static Response read(InputStream input) throws IOException {
		int status;
		Head head;
		do {
			// An interim response (1xx) precedes the real one.
			status = status(line(input));
			head = head(input);
		}
		while (status >= 100 && status < 200 && status != 101);
		if (status == 101) {
			throw new IOException("the server switched protocols");
		}
		if (status == 204 || status == 304) {
			return new Response(status, head.close());
		}
		if (head.chunked()) {
			skipChunks(input);
		}
		else if (head.contentLength() >= 0) {
			skip(input, head.contentLength());
		}
		else {
			skipToEnd(input);
			return new Response(status, true);
		}
		return new Response(status, head.close());
	}

	private static int status(String line) throws IOException {
		String[] parts = line.split(" ", 3);
		if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
			throw new IOException("not an HTTP/1.x status line: " + line);
		}
		try {
			return Integer.parseInt(parts[1]);
		}
		catch (NumberFormatException ex) {
			throw new IOException("not an HTTP/1.x status line: " + line);
		}
	}

	private static Head head(InputStream input) throws IOException {
		long contentLength = -1;
		boolean chunked = false;
		boolean close = false;
		String line;
		while (!(line = line(input)).isEmpty()) {
			int colon = line.indexOf(':');
			if (colon <= 0) {
				continue;
			}
			String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
			String value = line.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
			switch (name) {
				case "content-length" -> contentLength = parseLength(value);
				case "transfer-encoding" -> chunked = value.endsWith("chunked");
				case "connection" -> close = value.contains("close");
				default -> {
				}
			}
		}
		return new Head(contentLength, chunked, close);
	}

	private static long parseLength(String value) throws IOException {
		try {
			return Long.parseLong(value);
		}
		catch (NumberFormatException ex) {
			throw new IOException("bad Content-Length " + value);
		}
	}

	private static void skipChunks(InputStream input) throws IOException {
		long size;
		do {
			String line = line(input);
			int extension = line.indexOf(';');
			String hex = ((extension >= 0) ? line.substring(0, extension) : line).trim();
			try {
				size = Long.parseLong(hex, 16);
			}
			catch (NumberFormatException ex) {
				throw new IOException("bad chunk size " + line);
			}
			skip(input, size);
			if (size > 0) {
				line(input);
			}
		}
		while (size > 0);
		while (!line(input).isEmpty()) {
			// Trailer fields.
		}
	}

	private static void skip(InputStream input, long length) throws IOException {
		long left = length;
		while (left > 0) {
			long skipped = input.skip(left);
			if (skipped <= 0) {
				if (input.read() < 0) {
					throw new EOFException("the connection ended inside a response body");
				}
				skipped = 1;
			}
			left -= skipped;
		}
	}

	private static void skipToEnd(InputStream input) throws IOException {
		byte[] buffer = new byte[8192];
		while (input.read(buffer) >= 0) {
			// Discarded.
		}
	}

	private static String line(InputStream input) throws IOException {
		StringBuilder line = new StringBuilder();
		int b;
		while ((b = input.read()) != '\n') {
			if (b < 0) {
				throw new EOFException("the connection ended before a complete response");
			}
			if (line.length() == MAX_LINE) {
				throw new IOException("a response line longer than " + MAX_LINE + " bytes");
			}
			line.append((char) b);
		}
		int end = line.length();
		return (end > 0 && line.charAt(end - 1) == '\r') ? line.substring(0, end - 1) : line.toString();
	}

	private record Head(long contentLength, boolean chunked, boolean close) {
	}

	/**
	 * A response read.
	 *
	 * @param status its status code
	 * @param closes whether the connection ends with it
	 */
	record Response(int status, boolean closes) {
	}

}
