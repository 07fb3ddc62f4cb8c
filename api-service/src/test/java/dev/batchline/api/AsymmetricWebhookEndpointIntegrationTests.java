package dev.batchline.api;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.batchline.contracts.webhooks.SecretBox;
import dev.batchline.contracts.webhooks.SigningKey;
import dev.batchline.contracts.webhooks.WebhookPublicKey;
import dev.batchline.contracts.webhooks.WebhookSigner;
import dev.batchline.contracts.webhooks.WebhookVerificationException;
import dev.batchline.contracts.webhooks.WebhookVerifier;
import dev.batchline.testsupport.TestInfrastructure;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static dev.batchline.api.ApiClient.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.within;

/**
 * Endpoints that sign with Standard Webhooks {@code v1a} (Ed25519) against a real
 * PostgreSQL and Kafka: the tenant chooses the scheme at registration, reads the public
 * key and rotates the key pair; the private key stays in the database, where the
 * dispatcher reads it through {@code webhook_destinations}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "batchline.api.admin-token=test-admin-token", "batchline.topics.prefix=webhook-v1a-it",
				"batchline.topics.partitions=1", "batchline.webhooks.allow-private-networks=false",
				"batchline.webhooks.secret-rotation-overlap=1h" })
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AsymmetricWebhookEndpointIntegrationTests {

	private static final String PUBLIC_URL = "https://8.8.8.8/hook";

	@LocalServerPort
	int port;

	@Autowired
	JdbcTemplate jdbc;

	/** Opens the stored private keys, which are sealed. */
	@Autowired
	SecretBox box;

	private ApiClient admin;

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		TestInfrastructure.postgresAndKafka(registry);
	}

	@BeforeAll
	void setUp() {
		this.admin = new ApiClient("http://localhost:" + this.port, "test-admin-token");
	}

	@Test
	void registersAV1aEndpointThatShowsItsPublicKeyAndNeverItsPrivateKey() {
		ApiClient api = newTenant();
		ApiClient.Response created = api.post("/v1/webhook-endpoints",
				"{\"url\":\"" + PUBLIC_URL + "\",\"signature_scheme\":\"v1a\"}");
		assertThat(created.status()).as(created.body()).isEqualTo(201);
		JsonNode endpoint = created.json();
		String id = endpoint.get("id").asString();
		assertThat(endpoint.get("signature_scheme").asString()).isEqualTo("v1a");
		String publicKey = endpoint.get("public_key").asString();
		assertThat(WebhookPublicKey.parse(publicKey).value()).isEqualTo(publicKey);
		assertThat(endpoint.has("secret")).isFalse();
		assertThat(endpoint.get("links").get("public_key").asString())
			.isEqualTo(api.url("/v1/webhook-endpoints/" + id + "/public-key"));
		assertThat(endpoint.get("links").has("secret")).isFalse();

		JsonNode shown = api.get("/v1/webhook-endpoints/" + id).json();
		assertThat(shown.get("public_key").asString()).isEqualTo(publicKey);
		assertThat(shown.get("signature_scheme").asString()).isEqualTo("v1a");
		JsonNode keys = api.get("/v1/webhook-endpoints/" + id + "/public-key").json();
		assertThat(keys.get("public_key").asString()).isEqualTo(publicKey);
		assertThat(keys.has("previous_public_key")).isFalse();
		String everything = created.body() + api.get("/v1/webhook-endpoints").body() + keys;
		assertThat(everything).doesNotContain("whsk_").doesNotContain("whsec_");

		// the stored private key signs what the shown public key verifies, and there is
		// no
		// whsec_ secret that could sign
		Map<String, Object> row = this.jdbc.queryForMap(
				"select secret, signing_key, public_key from webhook_endpoints where id = ?", UUID.fromString(id));
		assertThat(row.get("secret")).isNull();
		assertThat(row.get("public_key")).isEqualTo(publicKey);
		assertThat((String) row.get("signing_key")).startsWith("enc:");
		assertVerifies(this.box.open((String) row.get("signing_key")), publicKey);

		// v1 stays the default, and says so
		JsonNode symmetric = api.post("/v1/webhook-endpoints", "{\"url\":\"" + PUBLIC_URL + "\"}").json();
		assertThat(symmetric.get("signature_scheme").asString()).isEqualTo("v1");
		assertThat(symmetric.get("secret").asString()).startsWith("whsec_");
		assertThat(symmetric.has("public_key")).isFalse();
		assertThat(api.post("/v1/webhook-endpoints", "{\"url\":\"" + PUBLIC_URL + "\",\"signature_scheme\":\"v1\"}")
			.json()
			.get("signature_scheme")
			.asString()).isEqualTo("v1");
	}

	@Test
	void rotatingTheKeyPairKeepsThePreviousOneSigningForTheOverlap() {
		ApiClient api = newTenant();
		JsonNode created = api
			.post("/v1/webhook-endpoints", "{\"url\":\"" + PUBLIC_URL + "\",\"signature_scheme\":\"v1a\"}")
			.json();
		UUID id = UUID.fromString(created.get("id").asString());
		String first = created.get("public_key").asString();
		String firstPrivate = this.jdbc.queryForObject("select signing_key from webhook_endpoints where id = ?",
				String.class, id);

		JsonNode rotated = api.post("/v1/webhook-endpoints/" + id + "/public-key/rotate", "").json();
		String second = rotated.get("public_key").asString();
		assertThat(second).startsWith("whpk_").isNotEqualTo(first);
		assertThat(rotated.get("previous_public_key").asString()).isEqualTo(first);
		assertThat(Instant.parse(rotated.get("previous_public_key_expires_at").asString()))
			.isCloseTo(Instant.now().plus(Duration.ofHours(1)), within(1, ChronoUnit.MINUTES));
		assertThat(rotated.toString()).doesNotContain("whsk_");
		assertThat(api.get("/v1/webhook-endpoints/" + id + "/public-key").json()).isEqualTo(rotated);
		assertThat(api.get("/v1/webhook-endpoints/" + id).json().get("public_key").asString()).isEqualTo(second);

		// what the dispatcher reads: the scheme, both private keys and until when the old
		// one signs
		Map<String, Object> destination = this.jdbc.queryForMap("""
				select signature_scheme, secret, signing_key, previous_signing_key, previous_key_expires_at
				from webhook_destinations where endpoint_id = ?""", id);
		assertThat(destination.get("signature_scheme")).isEqualTo("v1a");
		assertThat(destination.get("secret")).isNull();
		assertThat(destination.get("previous_signing_key")).isEqualTo(firstPrivate);
		assertThat(destination.get("previous_key_expires_at")).isNotNull();
		assertVerifies(this.box.open((String) destination.get("signing_key")), second);
		assertVerifies(this.box.open(firstPrivate), first);
		assertThatExceptionOfType(DataAccessException.class).isThrownBy(
				() -> this.jdbc.update("update webhook_destinations set signing_key = null where endpoint_id = ?", id))
			.withMessageContaining("read-only");
		// a key without its prefix would be taken for a v1 secret: the table refuses it
		for (String column : List.of("signing_key", "public_key", "previous_signing_key")) {
			assertThatExceptionOfType(DataAccessException.class).as(column)
				.isThrownBy(() -> this.jdbc.update("update webhook_endpoints set " + column + " = ? where id = ?",
						"MCowBQYDK2VwAyEA", id))
				.withMessageContaining("webhook_endpoints_keys_of_scheme");
		}

		JsonNode again = api.post("/v1/webhook-endpoints/" + id + "/public-key/rotate", "").json();
		assertThat(again.get("previous_public_key").asString()).isEqualTo(second);

		// once the overlap is over the previous key no longer signs, so it is not shown
		this.jdbc.update(
				"update webhook_endpoints set previous_key_expires_at = now() - interval '1 second' where id = ?", id);
		JsonNode expired = api.get("/v1/webhook-endpoints/" + id + "/public-key").json();
		assertThat(expired.get("public_key").asString()).isEqualTo(again.get("public_key").asString());
		assertThat(expired.has("previous_public_key")).isFalse();
		assertThat(expired.has("previous_public_key_expires_at")).isFalse();
	}

	@Test
	void refusesUnknownSchemesAndSchemeChangesAndEachSchemesKeysOfTheOther() {
		ApiClient api = newTenant();
		for (String scheme : List.of("\"v2\"", "\"V1A\"", "\"ed25519\"", "\"\"", "42", "null", "[\"v1a\"]")) {
			assertProblem(
					api.post("/v1/webhook-endpoints",
							"{\"url\":\"" + PUBLIC_URL + "\",\"signature_scheme\":" + scheme + "}"),
					422, "invalid-request", "'signature_scheme' must be one of [v1, v1a]");
		}
		assertThat(api.get("/v1/webhook-endpoints").json().get("data")).isEmpty();

		String asymmetric = api
			.post("/v1/webhook-endpoints", "{\"url\":\"" + PUBLIC_URL + "\",\"signature_scheme\":\"v1a\"}")
			.json()
			.get("id")
			.asString();
		String symmetric = api.post("/v1/webhook-endpoints", "{\"url\":\"" + PUBLIC_URL + "\"}")
			.json()
			.get("id")
			.asString();
		assertProblem(api.patch("/v1/webhook-endpoints/" + asymmetric, "{\"signature_scheme\":\"v1\"}"), 422,
				"invalid-request", "cannot change");
		assertProblem(api.patch("/v1/webhook-endpoints/" + symmetric, "{\"signature_scheme\":\"v1a\"}"), 422,
				"invalid-request", "cannot change");
		assertProblem(api.patch("/v1/webhook-endpoints/" + symmetric, "{\"signature_scheme\":\"v3\"}"), 422,
				"invalid-request", "'signature_scheme'");
		assertThat(api.get("/v1/webhook-endpoints/" + symmetric).json().get("signature_scheme").asString())
			.isEqualTo("v1");

		assertProblem(api.get("/v1/webhook-endpoints/" + asymmetric + "/secret"), 409, "wrong-signature-scheme",
				"signs with v1a");
		assertProblem(api.post("/v1/webhook-endpoints/" + asymmetric + "/secret/rotate", ""), 409,
				"wrong-signature-scheme", "signs with v1a");
		assertProblem(api.get("/v1/webhook-endpoints/" + symmetric + "/public-key"), 409, "wrong-signature-scheme",
				"signs with v1");
		assertProblem(api.post("/v1/webhook-endpoints/" + symmetric + "/public-key/rotate", ""), 409,
				"wrong-signature-scheme", "signs with v1");
		assertThat(this.jdbc.queryForObject("select secret from webhook_endpoints where id = ?", String.class,
				UUID.fromString(asymmetric)))
			.isNull();

		ApiClient other = newTenant();
		assertProblem(other.get("/v1/webhook-endpoints/" + asymmetric + "/public-key"), 404, "not-found", null);
		assertProblem(other.post("/v1/webhook-endpoints/" + asymmetric + "/public-key/rotate", ""), 404, "not-found",
				null);
		assertProblem(api.get("/v1/webhook-endpoints/" + UUID.randomUUID() + "/public-key"), 404, "not-found", null);
		assertProblem(api.get("/v1/webhook-endpoints/not-a-uuid/public-key"), 400, "bad-request", "id");
		api.delete("/v1/webhook-endpoints/" + asymmetric);
		assertProblem(api.post("/v1/webhook-endpoints/" + asymmetric + "/public-key/rotate", ""), 404, "not-found",
				null);
	}

	/**
	 * A private key from the database, opened, signs what the tenant's public key
	 * verifies.
	 */
	private static void assertVerifies(String signingKey, String publicKey) {
		assertThat(signingKey).startsWith("whsk_");
		long now = Instant.now().getEpochSecond();
		byte[] body = "{\"type\":\"job.succeeded\"}".getBytes(StandardCharsets.UTF_8);
		String signature = WebhookSigner.sign("msg_1", now, body, List.of(SigningKey.parse(signingKey)));
		WebhookVerifier verifier = new WebhookVerifier(WebhookPublicKey.parse(publicKey));
		assertThatNoException().isThrownBy(() -> verifier.verify("msg_1", Long.toString(now), signature, body));
		assertThatExceptionOfType(WebhookVerificationException.class)
			.isThrownBy(() -> verifier.verify("msg_2", Long.toString(now), signature, body));
	}

	private ApiClient newTenant() {
		JsonNode tenant = this.admin.post("/v1/admin/tenants", "{}").json();
		return this.admin.withToken(tenant.get("api_key").asString());
	}

}
