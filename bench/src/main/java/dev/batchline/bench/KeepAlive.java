package dev.batchline.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One keep-alive HTTP/1.1 connection on a blocking socket, sending requests prepared once
 * as bytes and reading each answer whole: as cheap a client as {@link HttpLoad}'s
 * built-in one, for the latencies of single requests. Not thread-safe: one per thread.
 */
final class KeepAlive implements AutoCloseable {

	/** An answer: its status and body. */
	record Answer(int status, byte[] body) {

		String text() {
			return new String(this.body, StandardCharsets.UTF_8);
		}

	}

	private final URI api;

	private final ByteArrayOutputStream body = new ByteArrayOutputStream(1024);

	private Socket socket;

	private InputStream in;

	private OutputStream out;

	KeepAlive(URI api) {
		this.api = api;
	}

	/** A request as bytes: a body (if any) as JSON, the headers as given. */
	static byte[] request(URI api, String method, String pathAndQuery, Map<String, String> headers, String json) {
		StringBuilder head = new StringBuilder(method).append(' ')
			.append(pathAndQuery)
			.append(" HTTP/1.1\r\nHost: ")
			.append(api.getHost())
			.append(':')
			.append(api.getPort())
			.append("\r\n");
		headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
		byte[] body = (json != null) ? json.getBytes(StandardCharsets.UTF_8) : new byte[0];
		if (json != null) {
			head.append("Content-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n");
		}
		byte[] headBytes = head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
		byte[] all = new byte[headBytes.length + body.length];
		System.arraycopy(headBytes, 0, all, 0, headBytes.length);
		System.arraycopy(body, 0, all, headBytes.length, body.length);
		return all;
	}

	/**
	 * Sends a request and reads its answer, connecting first when the connection is not
	 * open (the connect then counts in the caller's time, as in wrk).
	 */
	Answer exchange(byte[] request) throws IOException {
		if (this.socket == null) {
			this.socket = new Socket();
			this.socket.setTcpNoDelay(true);
			this.socket.connect(new InetSocketAddress(this.api.getHost(), this.api.getPort()), 5000);
			this.socket.setSoTimeout(30_000);
			this.in = new BufferedInputStream(this.socket.getInputStream());
			this.out = new BufferedOutputStream(this.socket.getOutputStream());
		}
		try {
			this.out.write(request);
			this.out.flush();
			this.body.reset();
			HttpLoad.Sockets.Answer answer = HttpLoad.Sockets.readAnswer(this.in, this.body);
			if (!answer.keepAlive()) {
				close();
			}
			return new Answer(answer.status(), this.body.toByteArray());
		}
		catch (IOException ex) {
			close();
			throw ex;
		}
	}

	@Override
	public void close() {
		if (this.socket != null) {
			try {
				this.socket.close();
			}
			catch (IOException ex) {
				// the connection is gone either way
			}
			this.socket = null;
		}
	}

}
