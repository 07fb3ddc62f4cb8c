package dev.batchline.api;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Request bodies are received whole before any database work, within limits: a stalled or
 * trickling upload is cut with 408, many of them hold no database connection while other
 * tenants are served, and every body, item and field has a byte limit (413, 422) that is
 * enforced without holding the body as a tree.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "batchline.api.admin-token=test-admin-token", "batchline.topics.prefix=uploads-it",
				"batchline.topics.partitions=1", "batchline.api.upload.idle-timeout=2s",
				"batchline.api.upload.grace=2s", "batchline.api.upload.min-bytes-per-second=2000",
				"batchline.api.upload.max-item-bytes=1048576", "batchline.api.limits.requests-per-second=1000" })
class UploadsIntegrationTests extends ApiIntegrationTest {

	@Autowired
	private MeterRegistry meters;

	UploadsIntegrationTests() {
		super("uploads-it", null);
	}

	@Test
	void aStalledUploadIsCutWith408() throws IOException {
		try (Socket socket = upload("application/x-ndjson", "?model=iris", 10_000)) {
			socket.getOutputStream().write("[5.1, 3.5, 1.4, 0.2]\n".getBytes(StandardCharsets.UTF_8));
			String answer = answer(socket);
			assertThat(answer).startsWith("HTTP/1.1 408").contains("request-timeout").contains("idle-timeout");
		}
	}

	@Test
	void aTricklingUploadIsCutWith408() throws Exception {
		try (Socket socket = upload("application/json", "", 10_000)) {
			OutputStream out = socket.getOutputStream();
			for (int i = 0; i < 8; i++) {
				out.write("{   ".getBytes(StandardCharsets.UTF_8));
				out.flush();
				Thread.sleep(500);
			}
			assertThat(answer(socket)).startsWith("HTTP/1.1 408").contains("min-bytes-per-second");
		}
	}

	@Test
	void stalledUploadsHoldNoDatabaseConnectionWhileOthersAreServed() throws Exception {
		List<Socket> stalled = new ArrayList<>();
		try {
			for (int i = 0; i < 50; i++) {
				Socket socket = upload("application/x-ndjson", "?model=iris", 10_000);
				socket.getOutputStream().write("[5.1, 3.5, 1.4, 0.2]\n".getBytes(StandardCharsets.UTF_8));
				stalled.add(socket);
			}
			String job = this.api.post("/v1/jobs", WorkerSide.jobJson(1, null)).json().get("id").asString();
			for (int i = 0; i < 20; i++) {
				assertThat(this.api.get("/v1/jobs/" + job).status()).isEqualTo(200);
			}
			assertThat(this.api.post("/v1/jobs", WorkerSide.jobJson(1, null)).status()).isEqualTo(202);
			assertThat(this.meters.get("hikaricp.connections.active").gauge().value()).isLessThan(3);
			try (ExecutorService answers = Executors.newVirtualThreadPerTaskExecutor()) {
				List<Future<String>> cut = stalled.stream()
					.map((socket) -> answers.submit(() -> answer(socket)))
					.toList();
				for (Future<String> answer : cut) {
					assertThat(answer.get()).startsWith("HTTP/1.1 408");
				}
			}
		}
		finally {
			for (Socket socket : stalled) {
				socket.close();
			}
		}
	}

	@Test
	void anNdjsonLineLongerThanAnItemIsRefusedBeforeTheRestArrives() {
		String line = "[" + "1.0, ".repeat(300_000) + "1.0]\n";
		ApiClient.assertProblem(this.api.post("/v1/jobs?model=iris", "application/x-ndjson", line), 413,
				"item-too-large", "max-item-bytes");
	}

	@Test
	void aJsonBodyOfManyTinyItemsIsCountedWithoutATree() {
		StringBuilder body = new StringBuilder("{\"model\": \"iris\", \"instances\": [");
		body.append("[1],".repeat(1_100_000)).append("[1]]}");
		ApiClient.assertProblem(this.api.post("/v1/jobs", body.toString()), 413, "too-many-items", "max-items");
		String oneHugeItem = "{\"model\": \"iris\", \"instances\": [[" + "1.0, ".repeat(300_000) + "1.0]]}";
		ApiClient.assertProblem(this.api.post("/v1/jobs", oneHugeItem), 413, "item-too-large", "max-item-bytes");
	}

	@Test
	void metadataIsCountedInUtf8Bytes() {
		String metadata = "{\"note\": \"" + "\u4e2d".repeat(6000) + "\"}";
		ApiClient.assertProblem(this.api.post("/v1/jobs", WorkerSide.jobJson(1, metadata)), 422, "invalid-request",
				"16384 bytes");
	}

	@Test
	void everyOtherBodyHasASmallLimit() {
		String url = "https://hooks.example.com/" + "a".repeat(70_000);
		ApiClient.assertProblem(
				this.api.post("/v1/webhook-endpoints",
						"{\"url\": \"" + url + "\", \"event_types\": [\"job.succeeded\"]}"),
				413, "body-too-large", "max-small-body-bytes");
		ApiClient.assertProblem(
				this.api.withToken("test-admin-token")
					.post("/v1/admin/tenants", "{\"name\": \"" + "n".repeat(70_000) + "\"}"),
				413, "body-too-large", null);
	}

	/** Opens a {@code POST /v1/jobs} and sends its headers, announcing a body. */
	private Socket upload(String contentType, String query, int contentLength) throws IOException {
		Socket socket = new Socket("localhost", this.port);
		socket.setSoTimeout(20_000);
		String head = "POST /v1/jobs" + query + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
				+ this.api.token() + "\r\nContent-Type: " + contentType + "\r\nContent-Length: " + contentLength
				+ "\r\n\r\n";
		socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
		socket.getOutputStream().flush();
		return socket;
	}

	/** The answer's status line, headers and body, as far as the server sends them. */
	private static String answer(Socket socket) {
		try {
			BufferedReader in = new BufferedReader(
					new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
			StringBuilder answer = new StringBuilder();
			for (String line = in.readLine(); line != null; line = in.readLine()) {
				answer.append(line).append('\n');
				if (answer.length() > 0 && line.startsWith("{")) {
					break;
				}
			}
			return answer.toString();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
