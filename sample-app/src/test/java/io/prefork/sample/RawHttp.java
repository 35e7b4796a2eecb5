package io.prefork.sample;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTTP/1.1 over a plain socket, so a test controls exactly which connection carries which
 * request (keep-alive, Connection: close, the client's own port).
 */
final class RawHttp implements AutoCloseable {

	private static final Pattern PID = Pattern.compile("\"pid\":(\\d+)");

	private final Socket socket;

	private final InputStream in;

	private final OutputStream out;

	RawHttp(int port) throws IOException {
		this(port, 0);
	}

	/**
	 * Connect with a receive buffer this small, for a client that reads slower than the
	 * server writes.
	 * @param port the port on the loopback address
	 * @param receiveBufferBytes the receive buffer size, or 0 for the system's default
	 */
	RawHttp(int port, int receiveBufferBytes) throws IOException {
		this.socket = new Socket();
		if (receiveBufferBytes > 0) {
			this.socket.setReceiveBufferSize(receiveBufferBytes);
		}
		this.socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
		this.socket.setSoTimeout(30_000);
		this.in = this.socket.getInputStream();
		this.out = this.socket.getOutputStream();
	}

	Socket socket() {
		return this.socket;
	}

	/**
	 * Send a GET and read the whole response.
	 * @param path the path
	 * @param close whether to ask the server to close the connection afterwards
	 * @return the response
	 */
	Response get(String path, boolean close) throws IOException {
		send(path, close);
		return read();
	}

	/**
	 * Send a GET without waiting for the response.
	 * @param path the path
	 * @param close whether to ask the server to close the connection afterwards
	 */
	void send(String path, boolean close) throws IOException {
		send("GET", path, close);
	}

	/**
	 * Send a request without a body, with extra headers, without waiting for the response.
	 * @param method the method
	 * @param path the path
	 * @param close whether to ask the server to close the connection afterwards
	 * @param headers header lines, e.g. {@code Cookie: a=b}
	 */
	void send(String method, String path, boolean close, String... headers) throws IOException {
		StringBuilder request = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
		for (String header : headers) {
			request.append(header).append("\r\n");
		}
		request.append(close ? "Connection: close\r\n" : "").append("\r\n");
		write(request.toString());
	}

	/**
	 * Send bytes as they are, e.g. part of a request, as a slow client sends it.
	 * @param text the bytes, in US-ASCII
	 */
	void write(String text) throws IOException {
		this.out.write(text.getBytes(StandardCharsets.US_ASCII));
		this.out.flush();
	}

	/**
	 * Send a request with a JSON body and read the whole response.
	 * @param method the method
	 * @param path the path
	 * @param json the body
	 * @return the response
	 */
	Response request(String method, String path, String json) throws IOException {
		byte[] body = json.getBytes(StandardCharsets.UTF_8);
		String head = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
				+ "Content-Length: " + body.length + "\r\n\r\n";
		this.out.write(head.getBytes(StandardCharsets.US_ASCII));
		this.out.write(body);
		this.out.flush();
		return read();
	}

	/**
	 * Read one whole response.
	 * @return the response
	 */
	Response read() throws IOException {
		String head = readHead();
		int status = Integer.parseInt(head.substring(9, 12));
		if (status == 204 || status == 304) {
			return new Response(status, head, "");
		}
		Matcher length = Pattern.compile("(?im)^content-length:\\s*(\\d+)").matcher(head);
		if (length.find()) {
			byte[] body = this.in.readNBytes(Integer.parseInt(length.group(1)));
			return new Response(status, head, new String(body, StandardCharsets.UTF_8));
		}
		if (Pattern.compile("(?im)^transfer-encoding:\\s*chunked").matcher(head).find()) {
			return new Response(status, head, new String(readChunks(), StandardCharsets.UTF_8));
		}
		if (Pattern.compile("(?im)^connection:\\s*close").matcher(head).find()) {
			// The body ends where the connection does.
			return new Response(status, head, new String(this.in.readAllBytes(), StandardCharsets.UTF_8));
		}
		throw new IOException("Response with neither Content-Length, chunks nor Connection: close:\n" + head);
	}

	private byte[] readChunks() throws IOException {
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		int size;
		while ((size = Integer.parseInt(readLine().split(";")[0].trim(), 16)) > 0) {
			body.write(this.in.readNBytes(size));
			readLine();
		}
		readLine();
		return body.toByteArray();
	}

	private String readLine() throws IOException {
		ByteArrayOutputStream line = new ByteArrayOutputStream();
		int b;
		while ((b = this.in.read()) != '\n') {
			if (b < 0) {
				throw new IOException("Connection closed inside a chunked body");
			}
			if (b != '\r') {
				line.write(b);
			}
		}
		return line.toString(StandardCharsets.US_ASCII);
	}

	/**
	 * Whether the server has closed the connection (EOF or reset) with nothing more to read.
	 * @return {@code true} if the next read ends the stream
	 */
	boolean readsEndOfStream() {
		try {
			return this.in.read() < 0;
		}
		catch (java.net.SocketTimeoutException ex) {
			return false;
		}
		catch (IOException ex) {
			return true;
		}
	}

	private String readHead() throws IOException {
		ByteArrayOutputStream head = new ByteArrayOutputStream();
		int matched = 0;
		while (matched < 4) {
			int b = this.in.read();
			if (b < 0) {
				throw new IOException("Connection closed after " + head.size() + " bytes of response head: " + head);
			}
			head.write(b);
			matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
		}
		return head.toString(StandardCharsets.US_ASCII);
	}

	@Override
	public void close() throws IOException {
		this.socket.close();
	}

	/**
	 * One GET on a new connection that is closed afterwards.
	 * @param port the server port
	 * @param path the path
	 * @return the response
	 */
	static Response getOnce(int port, String path) throws IOException {
		try (RawHttp http = new RawHttp(port)) {
			return http.get(path, true);
		}
	}

	/**
	 * Like {@link #getOnce} for a condition that is polled: the body, or an empty string when
	 * the request fails.
	 * @param port the server port
	 * @param path the path
	 * @return the body or {@code ""}
	 */
	static String getOnceQuietly(int port, String path) {
		try {
			return getOnce(port, path).body();
		}
		catch (IOException ex) {
			return "";
		}
	}

	record Response(int status, String head, String body) {

		long pid() {
			return pidOf(this.body);
		}

		/**
		 * Return the pid in a sample app's JSON answer.
		 * @param body the response body
		 * @return the pid
		 */
		static long pidOf(String body) {
			Matcher matcher = PID.matcher(body);
			if (!matcher.find()) {
				throw new AssertionError("No pid in response body: " + body);
			}
			return Long.parseLong(matcher.group(1));
		}

		String header(String name) {
			Matcher matcher = Pattern.compile("(?im)^" + Pattern.quote(name.toLowerCase(Locale.ROOT)) + ":\\s*(.*?)\\r?$")
				.matcher(this.head);
			return matcher.find() ? matcher.group(1) : null;
		}

	}

}
