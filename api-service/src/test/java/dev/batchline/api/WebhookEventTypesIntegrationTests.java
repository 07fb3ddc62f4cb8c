package dev.batchline.api;

import java.util.List;

import dev.batchline.contracts.webhooks.WebhookEventTypes;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;

import static dev.batchline.api.ApiClient.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The event catalog over real HTTP ({@code GET /v1/webhook-event-types}), and endpoints
 * subscribing to its opt-in operational type.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "batchline.api.admin-token=test-admin-token", "batchline.topics.prefix=event-types-it",
				"batchline.topics.partitions=1", "batchline.webhooks.allow-private-networks=false" })
class WebhookEventTypesIntegrationTests extends ApiIntegrationTest {

	WebhookEventTypesIntegrationTests() {
		super("event-types-it", null);
	}

	@Test
	void listsEveryEventTypeWithItsSchemaAnExampleAndWhetherItIsOptIn() {
		ApiClient.Response response = this.api.get("/v1/webhook-event-types");
		assertThat(response.status()).as(response.body()).isEqualTo(200);
		assertThat(response.contentType()).startsWith("application/json");
		JsonNode data = response.json().get("data");
		assertThat(data.valueStream().map((type) -> type.get("name").asString()).toList()).containsExactly(
				"job.succeeded", "job.partially_succeeded", "job.failed", "job.cancelled", "job.expired",
				"job.progress", "webhook.endpoint.disabled");
		for (JsonNode type : data) {
			String name = type.get("name").asString();
			assertThat(type.get("description").asString()).as(name).isNotBlank();
			assertThat(type.get("schema").get("properties").get("type").get("const").asString()).isEqualTo(name);
			assertThat(type.get("example").get("type").asString()).isEqualTo(name);
			assertThat(type.get("schema")).isEqualTo(WebhookEventTypes.find(name).orElseThrow().schema());
			assertThat(type.get("opt_in").asBoolean()).as(name)
				.isEqualTo(name.equals("job.progress") || name.equals("webhook.endpoint.disabled"));
			assertThat(type.get("category").asString()).as(name)
				.isEqualTo(name.startsWith("job.") ? "job" : "operational");
		}
	}

	@Test
	void showsOneEventTypeAndAnswers404ForAnUnknownOne() {
		ApiClient.Response response = this.api.get("/v1/webhook-event-types/job.succeeded");
		assertThat(response.status()).as(response.body()).isEqualTo(200);
		JsonNode type = response.json();
		assertThat(type.get("name").asString()).isEqualTo("job.succeeded");
		assertThat(type.get("opt_in").asBoolean()).isFalse();
		assertThat(type.get("schema").get("$schema").asString())
			.isEqualTo("https://json-schema.org/draft/2020-12/schema");
		assertThat(type.get("example").get("data").get("state").asString()).isEqualTo("SUCCEEDED");
		JsonNode disabled = this.api.get("/v1/webhook-event-types/webhook.endpoint.disabled").json();
		assertThat(disabled.get("example").get("data").get("links").get("endpoint").asString())
			.contains("/v1/webhook-endpoints/");

		assertProblem(this.api.get("/v1/webhook-event-types/job.queued"), 404, "not-found", "'job.queued'");
		assertProblem(this.api.get("/v1/webhook-event-types/nope"), 404, "not-found", "'nope'");
	}

	@Test
	void needsAnApiKey() {
		assertProblem(this.api.withToken(null).get("/v1/webhook-event-types"), 401, "unauthorized", null);
		assertProblem(this.api.withToken(null).get("/v1/webhook-event-types/job.succeeded"), 401, "unauthorized", null);
		assertProblem(this.api.withToken("bl_not-a-key").get("/v1/webhook-event-types"), 401, "unauthorized", null);
	}

	@Test
	void anEndpointReceivesTheOperationalTypeOnlyWhenItNamesIt() {
		ApiClient.Response named = this.api.post("/v1/webhook-endpoints",
				"{\"url\":\"https://8.8.8.8/hook\",\"event_types\":[\"webhook.endpoint.disabled\",\"job.failed\"]}");
		assertThat(named.status()).as(named.body()).isEqualTo(201);
		assertThat(named.json().get("event_types").valueStream().map(JsonNode::asString).toList())
			.containsExactly("webhook.endpoint.disabled", "job.failed");

		ApiClient.Response unnamed = this.api.post("/v1/webhook-endpoints", "{\"url\":\"https://8.8.8.8/hook\"}");
		assertThat(unnamed.status()).as(unnamed.body()).isEqualTo(201);
		assertThat(unnamed.json().get("event_types").valueStream().map(JsonNode::asString).toList()).isEqualTo(
				List.of("job.succeeded", "job.partially_succeeded", "job.failed", "job.cancelled", "job.expired"));
	}

}
