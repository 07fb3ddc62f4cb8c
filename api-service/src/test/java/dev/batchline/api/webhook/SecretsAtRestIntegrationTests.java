package dev.batchline.api.webhook;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.webhooks.SecretBox;
import dev.batchline.testsupport.Fixtures;
import dev.batchline.testsupport.TestInfrastructure;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Webhook signing secrets at rest: every stored secret and private key is sealed with the
 * configured key, so the rows as a dump holds them give away no {@code whsec_} secret and
 * no {@code whsk_} key, while the API still shows the secrets and they still open; a key
 * rotation seals every row again, legacy rows stored in clear included.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "batchline.api.admin-token=test-admin-token", "batchline.topics.prefix=secrets-it",
				"batchline.webhooks.allow-private-networks=true" })
class SecretsAtRestIntegrationTests {

	private static final byte[] TEST_KEY = Base64.getDecoder().decode(Fixtures.SECRETS_KEY);

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Autowired
	private JdbcTemplate jdbc;

	@Autowired
	private TransactionTemplate transactions;

	@Autowired
	private SecretBox box;

	@DynamicPropertySource
	static void infrastructure(DynamicPropertyRegistry registry) {
		TestInfrastructure.postgresAndKafka(registry);
	}

	@Test
	void theRowsHoldNoUsableSecretWhileTheApiStillShowsThem() throws Exception {
		String key = call("POST", "/v1/admin/tenants", "test-admin-token", "{\"name\":\"sealed\"}").get("api_key")
			.asString();
		String callback = call("GET", "/v1/callback-secret", key, null).get("secret").asString();
		JsonNode v1 = call("POST", "/v1/webhook-endpoints", key,
				"{\"url\":\"http://127.0.0.1:9/hook\",\"event_types\":[\"job.succeeded\"]}");
		String endpoint = v1.get("id").asString();
		String first = v1.get("secret").asString();
		String rotated = call("POST", "/v1/webhook-endpoints/" + endpoint + "/secret/rotate", key, null).get("secret")
			.asString();
		call("POST", "/v1/webhook-endpoints", key,
				"{\"url\":\"http://127.0.0.1:9/hook\",\"event_types\":[\"job.succeeded\"],\"signature_scheme\":\"v1a\"}");
		assertThat(callback).startsWith("whsec_");
		assertThat(rotated).startsWith("whsec_").isNotEqualTo(first);

		// the tables as a dump holds them: no secret, no private key, in any column
		List<String> dump = this.jdbc.queryForList(
				"select row_to_json(t)::text from tenants t union all select row_to_json(w)::text from webhook_endpoints w",
				String.class);
		assertThat(dump).hasSizeGreaterThanOrEqualTo(3)
			.noneMatch((row) -> row.contains("whsec_") || row.contains("whsk_"));
		assertThat(String.join("\n", dump)).doesNotContain(rotated.substring("whsec_".length()),
				callback.substring("whsec_".length()), first.substring("whsec_".length()));

		// each sealed with the current key, and each opens to what the API shows
		Map<String, Object> row = this.jdbc
			.queryForMap("select secret, previous_secret from webhook_endpoints where id = ?::uuid", endpoint);
		assertThat((String) row.get("secret")).startsWith("enc:" + SecretBox.keyId(TEST_KEY) + ":");
		assertThat(this.box.open((String) row.get("secret"))).isEqualTo(rotated);
		assertThat(this.box.open((String) row.get("previous_secret"))).isEqualTo(first);
		assertThat(this.jdbc.queryForList("select signing_key from webhook_endpoints where signature_scheme = 'v1a'",
				String.class))
			.singleElement()
			.satisfies((sealed) -> assertThat(this.box.open(sealed)).startsWith("whsk_"));
		assertThat(this.box.open(this.jdbc.queryForObject(
				"select webhook_secret from tenants where id = (select tenant_id from webhook_endpoints where id = ?::uuid)",
				String.class, endpoint)))
			.isEqualTo(callback);
	}

	@Test
	void aKeyRotationSealsEveryRowAgainLegacyRowsInClearIncluded() {
		String legacy = "whsec_" + Base64.getEncoder().encodeToString(new byte[24]);
		this.jdbc.update("insert into tenants (id, name, webhook_secret) values (gen_random_uuid(), 'legacy', ?)",
				legacy);
		List<String> opened = secrets().stream().map(this.box::open).toList();
		assertThat(opened).contains(legacy);

		byte[] next = Base64.getDecoder().decode("nPHt/scTAPPQt/r7j6QBF3JT+q5Qp515C5KmygSD0hM=");
		SecretBox rotated = new SecretBox(next, List.of(TEST_KEY));
		try {
			assertThat(new SecretResealing(this.jdbc, this.transactions, rotated).resealAll()).isPositive();
			List<String> after = secrets();
			assertThat(after).allMatch((sealed) -> sealed.startsWith("enc:" + SecretBox.keyId(next) + ":"));
			assertThat(after.stream().map(rotated::open).toList()).isEqualTo(opened);
			// the old key alone no longer opens them
			assertThatIllegalStateException().isThrownBy(() -> this.box.open(after.get(0)))
				.withMessageContaining(SecretBox.keyId(next));
			// nothing left to do the second time
			assertThat(new SecretResealing(this.jdbc, this.transactions, rotated).resealAll()).isZero();
		}
		finally {
			// back to the key the running service holds
			new SecretResealing(this.jdbc, this.transactions, new SecretBox(TEST_KEY, List.of(next))).resealAll();
		}
		assertThat(secrets().stream().map(this.box::open).toList()).isEqualTo(opened);
	}

	/** Every stored secret, in a stable order. */
	private List<String> secrets() {
		return this.jdbc.queryForList("""
				select s from (
				  select id, 0 as n, webhook_secret as s from tenants
				  union all select id, 1, previous_webhook_secret from tenants
				  union all select id, 2, secret from webhook_endpoints
				  union all select id, 3, previous_secret from webhook_endpoints
				  union all select id, 4, signing_key from webhook_endpoints
				  union all select id, 5, previous_signing_key from webhook_endpoints) all_secrets
				where s is not null order by id, n""", String.class);
	}

	private JsonNode call(String method, String path, String token, String json) throws Exception {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
			.header("Authorization", "Bearer " + token)
			.header("Content-Type", "application/json")
			.method(method,
					(json != null) ? HttpRequest.BodyPublishers.ofString(json) : HttpRequest.BodyPublishers.noBody())
			.build();
		HttpResponse<byte[]> response = this.http.send(request, HttpResponse.BodyHandlers.ofByteArray());
		assertThat(response.statusCode()).as(new String(response.body())).isLessThan(300);
		return EventCodec.tree(response.body());
	}

}
