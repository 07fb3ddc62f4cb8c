package dev.batchline.api;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The version policy over real HTTP: the callback secret's new path answers plainly, its
 * deprecated first path still answers the same and says so with {@code Deprecation} (RFC
 * 9745), {@code Sunset} (RFC 8594) and a {@code Link} to the policy, and the OpenAPI
 * document marks it deprecated.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "batchline.api.admin-token=test-admin-token", "batchline.api.limits.enabled=false",
				"batchline.topics.prefix=deprecation-it", "batchline.topics.partitions=1" })
class DeprecationIntegrationTests extends ApiIntegrationTest {

	/** RFC 9651 §3.3.7: {@code @} and an integer of at most 15 digits. */
	private static final Pattern SF_DATE = Pattern.compile("@(-?[0-9]{1,15})");

	/** RFC 9110 §5.6.7's IMF-fixdate. */
	private static final Pattern IMF_FIXDATE = Pattern
		.compile("(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT");

	DeprecationIntegrationTests() {
		super("deprecation-it", null);
	}

	@Test
	void theNewPathAnswersWithoutDeprecationHeaders() {
		ApiClient.Response secret = this.api.get("/v1/callback-secret");
		assertThat(secret.status()).as(secret.body()).isEqualTo(200);
		assertThat(secret.json().get("secret").asString()).startsWith("whsec_");
		assertNotDeprecated(secret);
		ApiClient.Response rotated = this.api.post("/v1/callback-secret/rotate", "");
		assertThat(rotated.status()).as(rotated.body()).isEqualTo(200);
		assertNotDeprecated(rotated);
	}

	@Test
	void theOldPathStillAnswersTheSameAndSaysWhenItWillGo() {
		ApiClient.Response current = this.api.get("/v1/callback-secret");
		ApiClient.Response old = this.api.get("/v1/webhook-secret");
		assertThat(old.status()).as(old.body()).isEqualTo(200);
		assertThat(old.json()).isEqualTo(current.json());
		assertDeprecated(old);
	}

	@Test
	void rotatingAtTheOldPathRotatesTheSameSecretAndIsSignalledToo() {
		String before = this.api.get("/v1/callback-secret").json().get("secret").asString();
		ApiClient.Response rotated = this.api.post("/v1/webhook-secret/rotate", "");
		assertThat(rotated.status()).as(rotated.body()).isEqualTo(200);
		assertThat(rotated.json().get("previous_secret").asString()).isEqualTo(before);
		assertThat(this.api.get("/v1/callback-secret").json()).isEqualTo(rotated.json());
		assertDeprecated(rotated);
	}

	@Test
	void theOpenApiDocumentMarksOnlyTheOldPathsDeprecated() {
		JsonNode paths = this.api.withToken(null).get("/v3/api-docs").json().get("paths");
		assertThat(paths.get("/v1/webhook-secret").get("get").get("deprecated").asBoolean()).isTrue();
		assertThat(paths.get("/v1/webhook-secret/rotate").get("post").get("deprecated").asBoolean()).isTrue();
		assertThat(paths.get("/v1/webhook-secret").get("get").get("description").asString())
			.contains("/v1/callback-secret", "2027-06-30");
		assertThat(paths.get("/v1/callback-secret").get("get").has("deprecated")).isFalse();
		assertThat(paths.get("/v1/callback-secret/rotate").get("post").has("deprecated")).isFalse();
	}

	private static void assertNotDeprecated(ApiClient.Response response) {
		assertThat(response.headers().firstValue("Deprecation")).isEmpty();
		assertThat(response.headers().firstValue("Sunset")).isEmpty();
		assertThat(links(response)).noneMatch((link) -> link.contains("rel=\"deprecation\""));
	}

	private static void assertDeprecated(ApiClient.Response response) {
		String deprecation = response.headers().firstValue("Deprecation").orElseThrow();
		Matcher date = SF_DATE.matcher(deprecation);
		assertThat(date.matches()).as(deprecation).isTrue();
		Instant deprecatedAt = Instant.ofEpochSecond(Long.parseLong(date.group(1)));
		assertThat(deprecatedAt).isEqualTo("2026-12-03T00:00:00Z");

		String sunset = response.headers().firstValue("Sunset").orElseThrow();
		assertThat(sunset).matches(IMF_FIXDATE);
		Instant sunsetAt = DateTimeFormatter.RFC_1123_DATE_TIME.parse(sunset, Instant::from);
		assertThat(sunsetAt).isEqualTo("2027-06-30T00:00:00Z").isAfter(deprecatedAt);

		assertThat(links(response)).anyMatch((link) -> link.matches("<https://[^>]+>; rel=\"deprecation\".*"));
		assertThat(links(response)).anyMatch((link) -> link.matches("<https://[^>]+>; rel=\"sunset\".*"));
	}

	/** Every link of every {@code Link} field line (each may hold several). */
	private static List<String> links(ApiClient.Response response) {
		return response.headers()
			.allValues("Link")
			.stream()
			.flatMap((value) -> Arrays.stream(value.split(",")))
			.map(String::strip)
			.toList();
	}

}
