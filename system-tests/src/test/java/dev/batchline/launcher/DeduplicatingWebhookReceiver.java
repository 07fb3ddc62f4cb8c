package dev.batchline.launcher;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.webhooks.WebhookVerificationException;
import dev.batchline.contracts.webhooks.WebhookVerifier;
import tools.jackson.databind.JsonNode;

/**
 * A webhook receiver as the docs tell users to write one: it verifies the Standard
 * Webhooks signature with the project's {@link WebhookVerifier}, and deduplicates on
 * {@code webhook-id}. It can answer 500 to the first attempts of every message, to make
 * the dispatcher retry.
 */
final class DeduplicatingWebhookReceiver implements AutoCloseable {

	private final HttpServer server;

	private final WebhookVerifier verifier;

	private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();

	private final Map<String, Receipt> accepted = new ConcurrentHashMap<>();

	private final AtomicInteger redeliveries = new AtomicInteger();

	private final AtomicInteger refusedSignatures = new AtomicInteger();

	private final AtomicInteger failedOnPurpose = new AtomicInteger();

	private volatile int failFirstAttempts;

	/**
	 * A message accepted for the first time.
	 *
	 * @param jobId the job it is about
	 * @param type the event type
	 */
	record Receipt(String jobId, String type) {
	}

	private DeduplicatingWebhookReceiver(HttpServer server, WebhookVerifier verifier) {
		this.server = server;
		this.verifier = verifier;
	}

	static DeduplicatingWebhookReceiver start(WebhookVerifier verifier) throws IOException {
		HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
		DeduplicatingWebhookReceiver receiver = new DeduplicatingWebhookReceiver(server, verifier);
		server.createContext("/webhooks", receiver::handle);
		server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
		server.start();
		return receiver;
	}

	String url() {
		return "http://127.0.0.1:" + this.server.getAddress().getPort() + "/webhooks";
	}

	/** Answers 500 to the first {@code count} attempts of every message from now on. */
	void failFirstAttempts(int count) {
		this.failFirstAttempts = count;
	}

	/** The distinct messages (webhook ids) accepted for a job. */
	Set<String> messagesFor(String jobId) {
		return this.accepted.entrySet()
			.stream()
			.filter((entry) -> entry.getValue().jobId().equals(jobId))
			.map(Map.Entry::getKey)
			.collect(Collectors.toSet());
	}

	/**
	 * Messages accepted again after their first acceptance (at-least-once delivery; the
	 * deduplication drops them).
	 */
	int redeliveries() {
		return this.redeliveries.get();
	}

	/** Messages whose signature did not verify. */
	int refusedSignatures() {
		return this.refusedSignatures.get();
	}

	/** Attempts answered with 500 on purpose. */
	int failedOnPurpose() {
		return this.failedOnPurpose.get();
	}

	private void handle(HttpExchange exchange) throws IOException {
		try (exchange) {
			byte[] body = exchange.getRequestBody().readAllBytes();
			String id = exchange.getRequestHeaders().getFirst("webhook-id");
			try {
				this.verifier.verify(id, exchange.getRequestHeaders().getFirst("webhook-timestamp"),
						exchange.getRequestHeaders().getFirst("webhook-signature"), body);
			}
			catch (WebhookVerificationException ex) {
				this.refusedSignatures.incrementAndGet();
				exchange.sendResponseHeaders(400, -1);
				return;
			}
			int attempt = this.attempts.computeIfAbsent(id, (key) -> new AtomicInteger()).incrementAndGet();
			if (attempt <= this.failFirstAttempts) {
				this.failedOnPurpose.incrementAndGet();
				exchange.sendResponseHeaders(500, -1);
				return;
			}
			JsonNode event = EventCodec.tree(body);
			Receipt receipt = new Receipt(event.get("data").get("job_id").asString(), event.get("type").asString());
			if (this.accepted.putIfAbsent(id, receipt) != null) {
				this.redeliveries.incrementAndGet();
			}
			exchange.sendResponseHeaders(204, -1);
		}
	}

	@Override
	public void close() {
		this.server.stop(0);
	}

}
