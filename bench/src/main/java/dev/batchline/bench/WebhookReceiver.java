package dev.batchline.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;
import dev.batchline.contracts.webhooks.WebhookSecret;
import dev.batchline.contracts.webhooks.WebhookSigner;
import dev.batchline.contracts.webhooks.WebhookVerificationException;
import dev.batchline.contracts.webhooks.WebhookVerifier;

/**
 * Scenario 8's receiver on loopback: answers every POST {@code 204} at once, verifies the
 * signature of each webhook to a registered path with the endpoint's secret, and keeps
 * when each arrived.
 */
final class WebhookReceiver implements AutoCloseable {

	/**
	 * A webhook as it arrived.
	 *
	 * @param path where it was sent
	 * @param at when it arrived
	 * @param body its bytes
	 */
	record Received(String path, Instant at, byte[] body) {
	}

	private final HttpServer server;

	private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

	private final Map<String, WebhookVerifier> verifiers = new ConcurrentHashMap<>();

	private final Queue<Received> received = new ConcurrentLinkedQueue<>();

	private final AtomicInteger count = new AtomicInteger();

	private final AtomicInteger badSignatures = new AtomicInteger();

	WebhookReceiver() throws IOException {
		this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
		this.server.setExecutor(this.threads);
		this.server.createContext("/", (exchange) -> {
			try (exchange; InputStream in = exchange.getRequestBody()) {
				byte[] body = in.readAllBytes();
				Instant at = Instant.now();
				String path = exchange.getRequestURI().getPath();
				WebhookVerifier verifier = this.verifiers.get(path);
				if (verifier != null) {
					try {
						verifier.verify(exchange.getRequestHeaders().getFirst(WebhookSigner.ID_HEADER),
								exchange.getRequestHeaders().getFirst(WebhookSigner.TIMESTAMP_HEADER),
								exchange.getRequestHeaders().getFirst(WebhookSigner.SIGNATURE_HEADER), body);
						this.received.add(new Received(path, at, body));
						this.count.incrementAndGet();
					}
					catch (WebhookVerificationException ex) {
						this.badSignatures.incrementAndGet();
					}
				}
				exchange.sendResponseHeaders(204, -1);
			}
		});
		this.server.start();
	}

	/** The URL of a path on this receiver. */
	String url(String path) {
		return "http://127.0.0.1:" + this.server.getAddress().getPort() + path;
	}

	/** Webhooks to {@code path} are verified with {@code secret} and kept. */
	void expect(String path, String secret) {
		this.verifiers.put(path, new WebhookVerifier(WebhookSecret.parse(secret)));
	}

	/** Verified webhooks so far (including those taken). */
	int count() {
		return this.count.get();
	}

	/** Webhooks whose signature did not verify. */
	int badSignatures() {
		return this.badSignatures.get();
	}

	/** Takes the webhooks received so far. */
	List<Received> drain() {
		List<Received> taken = new ArrayList<>();
		Received next;
		while ((next = this.received.poll()) != null) {
			taken.add(next);
		}
		return taken;
	}

	@Override
	public void close() {
		this.server.stop(0);
		this.threads.shutdownNow();
	}

}
