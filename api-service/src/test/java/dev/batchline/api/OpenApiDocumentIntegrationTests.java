package dev.batchline.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.batchline.contracts.EventCodec;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The served OpenAPI document: the checked-in {@code docs/openapi.json} is what the
 * service serves (run this test with {@code -Dopenapi.update=true} to write it anew),
 * every operation needs the bearer scheme or is public, every error is described, the
 * operations that read their own body describe it, and Swagger UI shows it at
 * {@code /docs} without a key.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "batchline.api.admin-token=test-admin-token", "batchline.topics.prefix=openapi-it",
				"batchline.topics.partitions=1" })
class OpenApiDocumentIntegrationTests extends ApiIntegrationTest {

	private static final Path CHECKED_IN = Path.of("..", "docs", "openapi.json");

	private static final Set<String> PUBLIC_PREFIXES = Set.of("/v2/health");

	OpenApiDocumentIntegrationTests() {
		super("openapi-it", null);
	}

	@Test
	void theCheckedInDocumentIsTheServedOne() throws IOException {
		ApiClient.Response served = this.api.withToken(null).get("/v3/api-docs");
		assertThat(served.status()).isEqualTo(200);
		String pretty = EventCodec.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(served.json()) + "\n";
		if (Boolean.getBoolean("openapi.update")) {
			Files.writeString(CHECKED_IN, pretty, StandardCharsets.UTF_8);
		}
		assertThat(Files.exists(CHECKED_IN)).as("docs/openapi.json exists").isTrue();
		assertThat(Files.readString(CHECKED_IN, StandardCharsets.UTF_8))
			.as("docs/openapi.json is not the served document: write it anew with ./mvnw -B -pl api-service -am "
					+ "verify -Dtest=OpenApiDocumentIntegrationTests -Dsurefire.failIfNoSpecifiedTests=false "
					+ "-Dopenapi.update=true")
			.isEqualTo(pretty);
	}

	@Test
	void everyOperationIsSecuredOrPublicAndDescribesItsErrorsAndBody() {
		JsonNode document = this.api.withToken(null).get("/v3/api-docs").json();
		assertThat(document.get("components").get("securitySchemes").get("bearer").get("scheme").asString())
			.isEqualTo("bearer");
		assertThat(document.get("security").toString()).isEqualTo("[{\"bearer\":[]}]");
		List<String> problems = new ArrayList<>();
		for (Map.Entry<String, JsonNode> path : document.get("paths").properties()) {
			for (Map.Entry<String, JsonNode> operation : path.getValue().properties()) {
				String name = operation.getKey().toUpperCase() + " " + path.getKey();
				JsonNode security = operation.getValue().get("security");
				boolean publicPath = PUBLIC_PREFIXES.stream().anyMatch(path.getKey()::startsWith);
				if (publicPath != (security != null && security.isEmpty())) {
					problems.add(name + (publicPath ? " is public but not marked so" : " has its own security"));
				}
				if (!operation.getValue().get("responses").has("4XX")) {
					problems.add(name + " describes no errors");
				}
			}
		}
		for (String post : List.of("/v1/jobs", "/v1/batches", "/v2/models/{model}/infer", "/v1/models/{model}:predict",
				"/v1/webhook-endpoints", "/v1/api-keys", "/v1/files")) {
			JsonNode body = document.get("paths").get(post).get("post").get("requestBody");
			if (body == null || body.get("content").isEmpty()) {
				problems.add("POST " + post + " describes no request body");
			}
		}
		assertThat(document.get("paths")
			.get("/v1/jobs")
			.get("post")
			.get("requestBody")
			.get("content")
			.has("application/x-ndjson")).isTrue();
		assertThat(problems).isEmpty();
	}

	@Test
	void swaggerUiShowsTheDocumentAtDocsWithoutAKey() {
		ApiClient anonymous = this.api.withToken(null);
		ApiClient.Response docs = anonymous.get("/docs", "text/html");
		assertThat(docs.status()).isIn(200, 302);
		ApiClient.Response page = anonymous.get("/swagger-ui/index.html", "text/html");
		assertThat(page.status()).isEqualTo(200);
		assertThat(page.body()).contains("swagger-ui");
		ApiClient.Response config = anonymous.get("/v3/api-docs/swagger-config");
		assertThat(config.status()).isEqualTo(200);
		assertThat(config.json().get("url").asString()).isEqualTo("/v3/api-docs");
	}

}
