package dev.batchline.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * JWT bearer tokens beside API keys, against a real PostgreSQL and Kafka: tokens signed
 * here with an RSA key made here, whose public key the service is configured with, and
 * the ways a token is refused (wrong issuer, expired, wrong audience, no tenant claim, an
 * unknown tenant, another signer).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "batchline.api.admin-token=test-admin-token", "batchline.topics.prefix=jwt-it",
				"batchline.topics.partitions=1", "batchline.api.jwt.issuer=https://idp.example.test",
				"batchline.api.jwt.audience=batchline" })
class JwtIntegrationTests extends ApiIntegrationTest {

	private static final KeyPair ISSUER = rsa();

	private static final KeyPair STRANGER = rsa();

	JwtIntegrationTests() {
		super("jwt-it", null);
	}

	@DynamicPropertySource
	static void issuerKey(DynamicPropertyRegistry registry) throws IOException {
		Path pem = Files.createTempFile("issuer", ".pem");
		Files.writeString(pem,
				"-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(ISSUER.getPublic().getEncoded())
						+ "\n-----END PUBLIC KEY-----\n");
		registry.add("batchline.api.jwt.public-key-location", () -> pem.toUri().toString());
	}

	@Test
	void aTokenOfTheIssuerActsForItsTenantWithinItsScopes() {
		String tenant = tenantOf(this.api);
		ApiClient reader = this.api.withToken(
				token(ISSUER, (claims) -> claims.claim("tenant_id", tenant).claim("scope", "jobs:read webhooks:read")));
		assertThat(reader.get("/v1/jobs").status()).isEqualTo(200);
		ApiClient.assertProblem(reader.post("/v1/jobs", WorkerSide.jobJson(1, null)), 403, "insufficient-scope",
				"jobs:write");
		ApiClient writer = this.api.withToken(token(ISSUER,
				(claims) -> claims.claim("tenant_id", tenant).claim("scp", List.of("jobs:read", "jobs:write"))));
		ApiClient.Response submitted = writer.post("/v1/jobs", WorkerSide.jobJson(1, null));
		assertThat(submitted.status()).as(submitted.body()).isEqualTo(202);
		// the same tenant's job, seen with its API key
		assertThat(this.api.get("/v1/jobs/" + submitted.json().get("id").asString()).status()).isEqualTo(200);
	}

	@Test
	void refusesTokensThatAreNotTheIssuersForThisServiceAndATenant() {
		String tenant = tenantOf(this.api);
		refused(token(ISSUER, (claims) -> claims.claim("tenant_id", tenant).issuer("https://other.example.test")),
				"iss");
		refused(token(ISSUER,
				(claims) -> claims.claim("tenant_id", tenant)
					.issueTime(Date.from(Instant.now().minusSeconds(1200)))
					.expirationTime(Date.from(Instant.now().minusSeconds(600)))),
				"expired");
		refused(token(ISSUER, (claims) -> claims.claim("tenant_id", tenant).audience("someone-else")), "aud");
		refused(token(ISSUER, (claims) -> claims.claim("scope", "jobs:read")), "tenant");
		refused(token(ISSUER, (claims) -> claims.claim("tenant_id", UUID.randomUUID().toString())), "tenant");
		refused(token(STRANGER, (claims) -> claims.claim("tenant_id", tenant)), "not valid");
		refused("not.a.jwt", "not valid");
		// API keys keep working beside tokens
		assertThat(this.api.get("/v1/jobs").status()).isEqualTo(200);
	}

	private void refused(String token, String why) {
		ApiClient.Response answer = this.api.withToken(token).get("/v1/jobs");
		ApiClient.assertProblem(answer, 401, "unauthorized", null);
		assertThat(answer.json().get("detail").asString()).containsIgnoringCase(why);
	}

	private String tenantOf(ApiClient client) {
		return this.jdbc.queryForObject("select tenant_id::text from api_keys where key_prefix = ?", String.class,
				client.token().substring(0, 8));
	}

	/** A token of the issuer, for the audience, valid for five minutes, then changed. */
	private static String token(KeyPair signer, Consumer<JWTClaimsSet.Builder> change) {
		JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().issuer("https://idp.example.test")
			.subject("user-" + UUID.randomUUID())
			.audience("batchline")
			.issueTime(new Date())
			.expirationTime(Date.from(Instant.now().plusSeconds(300)));
		change.accept(claims);
		SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), claims.build());
		try {
			jwt.sign(new RSASSASigner((RSAPrivateKey) signer.getPrivate()));
		}
		catch (JOSEException ex) {
			throw new IllegalStateException(ex);
		}
		return jwt.serialize();
	}

	private static KeyPair rsa() {
		try {
			KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
			generator.initialize(2048);
			return generator.generateKeyPair();
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
