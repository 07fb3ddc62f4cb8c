package dev.batchline.contracts.webhooks;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.JobEvent;
import dev.batchline.contracts.webhooks.WebhookEventTypes.EventType;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The catalog's schemas against the payloads the dispatcher sends (built here from
 * {@link WebhookPayload} and encoded with {@link EventCodec}, as it builds them), checked
 * with a stock JSON Schema validator with format assertions on.
 */
class WebhookEventTypesTests {

	/**
	 * The states each job type carries: the terminal types their one state, progress the
	 * states of a job whose chunks are still being recorded (the api-service's
	 * {@code ChunkRecording} announces progress while a job is running or cancelling).
	 */
	private static final Map<String, List<String>> STATES = Map.of(JobEvent.SUCCEEDED, List.of("SUCCEEDED"),
			JobEvent.PARTIALLY_SUCCEEDED, List.of("PARTIALLY_SUCCEEDED"), JobEvent.FAILED, List.of("FAILED"),
			JobEvent.CANCELLED, List.of("CANCELLED"), JobEvent.EXPIRED, List.of("EXPIRED"), JobEvent.PROGRESS,
			List.of("RUNNING", "CANCELLING"));

	/**
	 * Model names and versions are folder names in the model repository: at most 255
	 * bytes on the file systems a worker runs on.
	 */
	private static final int MAX_MODEL_NAME = 255;

	/** The server-written reasons are far shorter; the schemas allow this much. */
	private static final int MAX_REASON = 1000;

	/** As {@link UrlPolicy} allows for endpoint URLs. */
	private static final int MAX_URL = 2048;

	/**
	 * A control character, which JSON escapes to six bytes: the most one character takes.
	 */
	private static final String WIDEST = "\u0001";

	private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

	@Test
	void listsEveryTypeAWebhookIsSentForAndTheOperationalOneOptIn() {
		assertThat(WebhookEventTypes.names()).containsExactlyElementsOf(
				concat(WebhookPayload.EVENT_TYPES, List.of(WebhookEventTypes.ENDPOINT_DISABLED)));
		for (EventType type : WebhookEventTypes.all()) {
			assertThat(type.description()).as(type.name()).isNotBlank();
			assertThat(type.schema().get("$schema").asString())
				.isEqualTo("https://json-schema.org/draft/2020-12/schema");
			assertThat(type.schema().get("properties").get("type").get("const").asString()).isEqualTo(type.name());
			assertThat(type.optIn()).as(type.name())
				.isEqualTo(type.name().equals(JobEvent.PROGRESS)
						|| type.name().equals(WebhookEventTypes.ENDPOINT_DISABLED));
			assertThat(type.category()).as(type.name())
				.isEqualTo(WebhookPayload.EVENT_TYPES.contains(type.name()) ? WebhookEventTypes.JOB
						: WebhookEventTypes.OPERATIONAL);
		}
		assertThat(WebhookEventTypes.find("job.queued")).isEmpty();
	}

	@Test
	void eachJobTypesSchemaAllowsExactlyTheStatesItCarries() {
		for (String type : WebhookPayload.EVENT_TYPES) {
			JsonNode states = schemaOf(type).get("properties").get("data").get("properties").get("state").get("enum");
			assertThat(states.valueStream().map(JsonNode::asString).toList()).as(type)
				.containsExactlyElementsOf(STATES.get(type));
		}
	}

	@Test
	void everyExampleMatchesItsSchema() {
		for (EventType type : WebhookEventTypes.all()) {
			assertThat(errors(type.name(), type.example())).as(type.name()).isEmpty();
		}
	}

	@Test
	void everyJobPayloadAsTheDispatcherBuildsItMatchesItsSchema() {
		for (String type : WebhookPayload.EVENT_TYPES) {
			for (String state : STATES.get(type)) {
				WebhookPayload payload = jobPayload(type, state, "iris", "1", "all 10 items processed, 0 failed", 10,
						"http://localhost:8080");
				assertThat(errors(type, EventCodec.tree(EventCodec.encode(payload)))).as(type + " " + state).isEmpty();
			}
		}
	}

	@Test
	void aJobPayloadWithEveryFieldAtItsLargestStaysUnderTheBound() {
		String longBase = "https://api.example.com/" + "a".repeat(MAX_URL - 24);
		for (String type : WebhookPayload.EVENT_TYPES) {
			WebhookPayload payload = jobPayload(type, STATES.get(type).get(0), WIDEST.repeat(MAX_MODEL_NAME),
					WIDEST.repeat(MAX_MODEL_NAME), WIDEST.repeat(MAX_REASON), Long.MAX_VALUE, longBase);
			byte[] bytes = EventCodec.encode(payload);
			assertThat(errors(type, EventCodec.tree(bytes))).as(type).isEmpty();
			assertThat(bytes.length).as(type).isGreaterThan(10_000).isLessThan(WebhookEventTypes.MAX_PAYLOAD_BYTES);
		}
	}

	@Test
	void anEndpointDisabledPayloadMatchesItsSchemaWithAndWithoutFailingSinceAndStaysUnderTheBound() {
		String id = UUID.randomUUID().toString();
		String link = "http://localhost:8080/v1/webhook-endpoints/" + id;
		byte[] plain = EventCodec.encode(endpointDisabled(id, "https://hooks.example.com/batchline",
				"the receiver answered 410 Gone", Instant.now(), link));
		assertThat(errors(WebhookEventTypes.ENDPOINT_DISABLED, EventCodec.tree(plain))).isEmpty();
		byte[] withoutFailingSince = EventCodec
			.encode(endpointDisabled(id, "https://hooks.example.com/batchline", "gone", null, link));
		assertThat(errors(WebhookEventTypes.ENDPOINT_DISABLED, EventCodec.tree(withoutFailingSince))).isEmpty();

		// a URL of non-ASCII characters (three bytes each) is the longest a registration
		// passes: java.net.URI refuses control characters
		String longUrl = "https://hooks.example.com/" + "\u20ac".repeat(MAX_URL - 26);
		String longLink = "https://api.example.com/" + "a".repeat(MAX_URL - 24) + "/v1/webhook-endpoints/" + id;
		byte[] largest = EventCodec
			.encode(endpointDisabled(id, longUrl, WIDEST.repeat(MAX_REASON), Instant.now(), longLink));
		assertThat(errors(WebhookEventTypes.ENDPOINT_DISABLED, EventCodec.tree(largest))).isEmpty();
		assertThat(largest.length).isGreaterThan(10_000).isLessThan(WebhookEventTypes.MAX_PAYLOAD_BYTES);
	}

	@Test
	void anExtraFieldAWrongStateAMissingFieldOrATooLongTextIsRejected() {
		JsonNode valid = EventCodec.tree(EventCodec.encode(jobPayload(JobEvent.SUCCEEDED, "SUCCEEDED", "iris", "1",
				"all 10 items processed, 0 failed", 10, "http://localhost:8080")));
		assertThat(errors(JobEvent.SUCCEEDED, valid)).isEmpty();

		ObjectNode extra = (ObjectNode) valid.deepCopy();
		((ObjectNode) extra.get("data")).put("callback_url", "https://hooks.example.com/job-done");
		assertThat(errors(JobEvent.SUCCEEDED, extra)).extracting(Error::getKeyword)
			.containsExactly("additionalProperties");

		ObjectNode wrongState = (ObjectNode) valid.deepCopy();
		((ObjectNode) wrongState.get("data")).put("state", "FAILED");
		assertThat(errors(JobEvent.SUCCEEDED, wrongState)).extracting(Error::getKeyword).containsExactly("enum");
		assertThat(errors(JobEvent.FAILED, valid)).extracting(Error::getKeyword).contains("const", "enum");

		ObjectNode missing = (ObjectNode) valid.deepCopy();
		((ObjectNode) missing.get("data").get("counts")).remove("failed");
		assertThat(errors(JobEvent.SUCCEEDED, missing)).extracting(Error::getKeyword).containsExactly("required");

		ObjectNode tooLong = (ObjectNode) valid.deepCopy();
		((ObjectNode) tooLong.get("data")).put("reason", "x".repeat(MAX_REASON + 1));
		assertThat(errors(JobEvent.SUCCEEDED, tooLong)).extracting(Error::getKeyword).containsExactly("maxLength");

		ObjectNode notATime = (ObjectNode) valid.deepCopy();
		notATime.put("timestamp", "yesterday");
		assertThat(errors(JobEvent.SUCCEEDED, notATime)).extracting(Error::getKeyword).containsExactly("format");

		JsonNode disabled = WebhookEventTypes.find(WebhookEventTypes.ENDPOINT_DISABLED).orElseThrow().example();
		((ObjectNode) disabled.get("data")).put("secret", "whsec_x");
		assertThat(errors(WebhookEventTypes.ENDPOINT_DISABLED, disabled)).extracting(Error::getKeyword)
			.containsExactly("additionalProperties");
	}

	/**
	 * The payload as the dispatcher's {@code DeliveryPlanner} builds it from a JobEvent.
	 */
	private static WebhookPayload jobPayload(String type, String state, String model, String version, String reason,
			long count, String publicApiUrl) {
		UUID jobId = UUID.randomUUID();
		String base = publicApiUrl + "/v1/jobs/" + jobId;
		Map<String, Long> counts = new LinkedHashMap<>();
		counts.put("total", count);
		counts.put("succeeded", count);
		counts.put("failed", count);
		Map<String, String> links = new LinkedHashMap<>();
		links.put("status", base);
		links.put("results", base + "/results");
		return new WebhookPayload(type, Instant.now(),
				new WebhookPayload.JobSummary(jobId, UUID.randomUUID(), state, model, version, reason, counts, links));
	}

	/** The payload the catalog describes for {@code webhook.endpoint.disabled}. */
	private static Map<String, Object> endpointDisabled(String endpointId, String url, String reason,
			Instant failingSince, String link) {
		Map<String, Object> data = new LinkedHashMap<>();
		data.put("endpoint_id", endpointId);
		data.put("url", url);
		data.put("reason", reason);
		if (failingSince != null) {
			data.put("failing_since", failingSince);
		}
		data.put("links", Map.of("endpoint", link));
		Map<String, Object> payload = new LinkedHashMap<>();
		payload.put("type", WebhookEventTypes.ENDPOINT_DISABLED);
		payload.put("timestamp", Instant.now());
		payload.put("data", data);
		return payload;
	}

	private static List<Error> errors(String type, JsonNode payload) {
		Schema schema = SCHEMAS.getSchema(schemaOf(type));
		return schema.validate(payload,
				(context) -> context.executionConfig((config) -> config.formatAssertionsEnabled(true)));
	}

	private static JsonNode schemaOf(String type) {
		return WebhookEventTypes.find(type).orElseThrow().schema();
	}

	private static List<String> concat(List<String> first, List<String> second) {
		return java.util.stream.Stream.concat(first.stream(), second.stream()).toList();
	}

}
