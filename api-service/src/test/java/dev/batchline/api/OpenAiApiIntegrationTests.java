package dev.batchline.api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import dev.batchline.contracts.ChunkSubmitted;
import dev.batchline.contracts.EventCodec;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The OpenAI-compatible API's edges against a real PostgreSQL and Kafka, with requests
 * shaped as the OpenAI SDKs send them (a multipart upload, JSON bodies): limits, errors
 * in OpenAI's shape, tenants, pages, and the error file of a batch whose model refused a
 * row. The worker side is played by records, as in {@link JobApiIntegrationTests}; the
 * official SDK against real workers is in the system tests.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "batchline.api.admin-token=test-admin-token", "batchline.api.openai.max-file-bytes=20000",
				"batchline.api.chunk-max-items=50", "batchline.topics.prefix=openai-it",
				"batchline.topics.partitions=2" })
class OpenAiApiIntegrationTests extends ApiIntegrationTest {

	private static final String BOUNDARY = "----batchline-test-boundary";

	OpenAiApiIntegrationTests() {
		super("openai-it", null);
	}

	@Test
	void aFailedRowIsInTheErrorFileAsItsEndpointWouldAnswerItAndTheRestInTheOutputFile() {
		String file = upload(this.api, "rows.jsonl",
				IntStream.range(0, 60)
					.mapToObj(
							(i) -> line("r-" + i, "/v1/models/iris:predict", "{\"instances\": [[" + i + ", 2, 3, 4]]}"))
					.collect(Collectors.joining("\n")))
			.json()
			.get("id")
			.asString();
		ApiClient.Response created = this.api.post("/v1/batches",
				"{\"input_file_id\": \"" + file + "\", \"endpoint\": \"/v1/models/iris:predict\", "
						+ "\"completion_window\": \"24h\", \"metadata\": {\"team\": \"a\"}}");
		assertThat(created.status()).as(created.body()).isEqualTo(200);
		JsonNode batch = created.json();
		assertThat(batch.get("object").asString()).isEqualTo("batch");
		assertThat(batch.get("status").asString()).isEqualTo("in_progress");
		assertThat(batch.get("output_file_id").isNull()).isTrue();
		UUID job = UUID.fromString(this.jdbc.queryForObject("select job_id::text from openai_batches where id = ?",
				String.class, batch.get("id").asString()));
		List<ChunkSubmitted> chunks = this.workers.chunksOf(job, 2);
		this.workers.publishResults(List.of(WorkerSide.echo(chunks.get(0), 7), WorkerSide.echo(chunks.get(1), -1)));
		JsonNode done = await().atMost(Duration.ofSeconds(20))
			.until(() -> this.api.get("/v1/batches/" + batch.get("id").asString()).json(),
					(b) -> b.get("status").asString().equals("completed"));
		assertThat(done.get("request_counts").toString()).isEqualTo("{\"total\":60,\"completed\":59,\"failed\":1}");
		assertThat(done.get("completed_at").asLong()).isEqualTo(done.get("finalizing_at").asLong());

		List<JsonNode> errors = jsonl(this.api.get("/v1/files/" + done.get("error_file_id").asString() + "/content"));
		assertThat(errors).hasSize(1);
		assertThat(errors.get(0).get("custom_id").asString()).isEqualTo("r-7");
		assertThat(errors.get(0).get("response").get("status_code").asInt()).isEqualTo(500);
		assertThat(errors.get(0).get("response").get("body").get("error").asString()).isEqualTo("test failure");
		assertThat(errors.get(0).get("error").isNull()).isTrue();
		List<JsonNode> outputs = jsonl(this.api.get("/v1/files/" + done.get("output_file_id").asString() + "/content"));
		assertThat(outputs).hasSize(59);
		assertThat(outputs.get(8).get("custom_id").asString()).isEqualTo("r-9");
		assertThat(outputs.get(8).get("response").get("body").toString())
			.isEqualTo("{\"predictions\":[{\"echo\":9.0}]}");
		JsonNode errorFile = this.api.get("/v1/files/" + done.get("error_file_id").asString()).json();
		assertThat(errorFile.get("purpose").asString()).isEqualTo("batch_error");
		assertThat(errorFile.get("bytes").asLong())
			.isEqualTo(this.api.get("/v1/files/" + done.get("error_file_id").asString() + "/content").body().length());
	}

	@Test
	void refusesBadUploadsAndBatchesInOpenAisErrorShape() {
		assertError(this.api.uploadFile("batch", "big.jsonl", "x".repeat(20_001)), 413, "invalid_request_error");
		assertError(this.api.uploadFile("fine-tune", "a.jsonl", "{}"), 400, "invalid_request_error");
		assertError(this.api.post("/v1/files", "multipart/form-data; boundary=" + BOUNDARY, "--" + BOUNDARY
				+ "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n--" + BOUNDARY + "--\r\n"), 400,
				"invalid_request_error");
		assertError(this.api.withToken("bl_wrong").get("/v1/batches"), 401, "authentication_error");
		assertError(this.api.get("/v1/files/file-nope"), 404, "not_found_error");
		assertError(
				this.api.post("/v1/batches",
						"{\"input_file_id\": \"file-nope\", \"endpoint\": "
								+ "\"/v1/models/iris:predict\", \"completion_window\": \"24h\"}"),
				404, "not_found_error");
		String file = upload(this.api, "one.jsonl",
				line("a", "/v1/models/iris:predict", "{\"instances\": [[1, 2, 3, 4]]}"))
			.json()
			.get("id")
			.asString();
		assertError(
				this.api.post("/v1/batches",
						"{\"input_file_id\": \"" + file + "\", \"endpoint\": "
								+ "\"/v1/models/iris:predict\", \"completion_window\": \"24h\", \"model\": \"x\"}"),
				400, "invalid_request_error");
		assertError(
				this.api.post("/v1/batches", "{\"input_file_id\": \"" + file + "\", \"endpoint\": "
						+ "\"/v1/models/iris:predict\", \"completion_window\": \"24h\", \"metadata\": {\"k\": 1}}"),
				400, "invalid_request_error");
		assertError(this.api.post("/v1/batches", "not json"), 400, "invalid_request_error");
		assertError(this.api.get("/v1/batches?limit=101"), 400, "invalid_request_error");

		// another tenant sees none of it
		ApiClient other = ApiClient.newTenant(this.port);
		assertError(other.get("/v1/files/" + file), 404, "not_found_error");
		assertError(other.get("/v1/files/" + file + "/content"), 404, "not_found_error");
	}

	@Test
	void listsBatchesNewestFirstInPages() {
		String file = upload(this.api, "page.jsonl", line("p", "/v1/models/nope:predict", "{\"instances\": [[1]]}"))
			.json()
			.get("id")
			.asString();
		List<String> ids = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			JsonNode batch = this.api
				.post("/v1/batches",
						"{\"input_file_id\": \"" + file + "\", \"endpoint\": "
								+ "\"/v1/models/nope:predict\", \"completion_window\": \"24h\"}")
				.json();
			assertThat(batch.get("status").asString()).isEqualTo("failed");
			assertThat(batch.get("errors").get("data").get(0).get("code").asString()).isEqualTo("unknown-model");
			ids.add(0, batch.get("id").asString());
		}
		JsonNode first = this.api.get("/v1/batches?limit=2").json();
		assertThat(first.get("object").asString()).isEqualTo("list");
		assertThat(first.get("data").findValuesAsString("id")).containsExactly(ids.get(0), ids.get(1));
		assertThat(first.get("has_more").asBoolean()).isTrue();
		assertThat(first.get("last_id").asString()).isEqualTo(ids.get(1));
		JsonNode second = this.api.get("/v1/batches?limit=2&after=" + ids.get(1)).json();
		assertThat(second.get("data").findValuesAsString("id")).startsWith(ids.get(2));
	}

	private static String line(String id, String url, String body) {
		return "{\"custom_id\": \"" + id + "\", \"method\": \"POST\", \"url\": \"" + url + "\", \"body\": " + body
				+ "}";
	}

	private static ApiClient.Response upload(ApiClient client, String name, String content) {
		ApiClient.Response response = client.uploadFile("batch", name, content);
		assertThat(response.status()).as(response.body()).isEqualTo(200);
		return response;
	}

	private static List<JsonNode> jsonl(ApiClient.Response response) {
		assertThat(response.status()).as(response.body()).isEqualTo(200);
		return response.body().lines().map((line) -> EventCodec.tree(line.getBytes())).toList();
	}

	private static void assertError(ApiClient.Response response, int status, String type) {
		assertThat(response.status()).as(response.body()).isEqualTo(status);
		assertThat(response.contentType()).isEqualTo("application/json");
		JsonNode error = response.json().get("error");
		assertThat(error.get("type").asString()).as(response.body()).isEqualTo(type);
		assertThat(error.get("message").asString()).isNotBlank();
		assertThat(error.has("param")).isTrue();
		assertThat(response.body()).doesNotContain("Exception");
	}

}
