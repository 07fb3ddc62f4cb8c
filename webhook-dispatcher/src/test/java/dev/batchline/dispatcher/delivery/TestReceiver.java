package dev.batchline.dispatcher.delivery;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.IntFunction;

import com.sun.net.httpserver.HttpServer;

/**
 * A real HTTP receiver on loopback that records every webhook it gets and answers as
 * told: the answer for the n-th request (from 1) is a status code and a delay, or a
 * connection closed without any answer.
 */
final class TestReceiver implements AutoCloseable {

	record Received(Instant at, String id, String timestamp, String signature, String userAgent, String contentType,
			byte[] body) {
	}

	record Answer(int status, long delayMillis, Map<String, String> headers) {

		static Answer status(int status) {
			return new Answer(status, 0, Map.of());
		}

		/** The request is read, then the connection closed without an answer. */
		static Answer drop() {
			return new Answer(0, 0, Map.of());
		}

		/** This answer with a header. */
		Answer with(String name, String value) {
			Map<String, String> headers = new java.util.HashMap<>(this.headers);
			headers.put(name, value);
			return new Answer(this.status, this.delayMillis, headers);
		}

	}

	private final HttpServer server;

	private final List<Received> received = new CopyOnWriteArrayList<>();

	private volatile IntFunction<Answer> answers;

	private TestReceiver(HttpServer server, IntFunction<Answer> answers) {
		this.server = server;
		this.answers = answers;
	}

	static TestReceiver start(IntFunction<Answer> answers) {
		return start(0, answers);
	}

	static TestReceiver start(int port, IntFunction<Answer> answers) {
		try {
			HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
			TestReceiver receiver = new TestReceiver(server, answers);
			server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
			server.createContext("/", (exchange) -> {
				byte[] body = exchange.getRequestBody().readAllBytes();
				var headers = exchange.getRequestHeaders();
				receiver.received.add(new Received(Instant.now(), headers.getFirst("webhook-id"),
						headers.getFirst("webhook-timestamp"), headers.getFirst("webhook-signature"),
						headers.getFirst("User-Agent"), headers.getFirst("Content-Type"), body));
				Answer answer = receiver.answers.apply(receiver.received.size());
				if (answer.delayMillis() > 0) {
					try {
						Thread.sleep(answer.delayMillis());
					}
					catch (InterruptedException ex) {
						Thread.currentThread().interrupt();
					}
				}
				if (answer.status() == 0) {
					// closed before any response header: the sender sees no answer at all
					exchange.close();
					return;
				}
				answer.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
				byte[] reply = ("answer " + answer.status()).getBytes();
				exchange.sendResponseHeaders(answer.status(), reply.length);
				exchange.getResponseBody().write(reply);
				exchange.close();
			});
			server.start();
			return receiver;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	void answer(IntFunction<Answer> next) {
		this.answers = next;
	}

	String url() {
		return "http://127.0.0.1:" + this.server.getAddress().getPort() + "/hooks";
	}

	List<Received> received() {
		return List.copyOf(this.received);
	}

	@Override
	public void close() {
		this.server.stop(0);
	}

}
