package dev.batchline.api;

import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;

import static dev.batchline.api.ApiClient.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GET /v1/jobs/{id}}'s strong {@code ETag} and {@code If-None-Match} (RFC 9110),
 * over real HTTP.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "batchline.api.admin-token=test-admin-token", "batchline.topics.prefix=etag-it",
				"batchline.topics.partitions=1" })
class JobControllerIntegrationTests extends ApiIntegrationTest {

	JobControllerIntegrationTests() {
		super("etag-it", null);
	}

	@Test
	void theJobStatusHasAStrongETagAndAnswers304WhileItIsUnchanged() {
		String path = "/v1/jobs/" + this.api.post("/v1/jobs", WorkerSide.jobJson(2, null)).json().get("id").asString();
		ApiClient.Response first = this.api.get(path);
		assertThat(first.status()).isEqualTo(200);
		String etag = first.headers().firstValue("ETag").orElseThrow();
		assertThat(etag).matches("\"[A-Za-z0-9_-]{22}\"");
		assertThat(this.api.get(path).headers().firstValue("ETag")).hasValue(etag);

		for (String match : new String[] { etag, "\"other\", " + etag, "*", "W/" + etag }) {
			ApiClient.Response notModified = ifNoneMatch(this.api, path, match);
			assertThat(notModified.status()).as(match).isEqualTo(304);
			assertThat(notModified.body()).isEmpty();
			assertThat(notModified.headers().firstValue("ETag")).hasValue(etag);
		}
		ApiClient.Response other = ifNoneMatch(this.api, path, "\"other\"");
		assertThat(other.status()).isEqualTo(200);
		assertThat(other.json().get("state").asString()).isEqualTo("QUEUED");

		assertThat(this.api.post(path + "/cancel", "").status()).isEqualTo(202);
		ApiClient.Response changed = ifNoneMatch(this.api, path, etag);
		assertThat(changed.status()).isEqualTo(200);
		assertThat(changed.json().get("state").asString()).isEqualTo("CANCELLING");
		assertThat(changed.headers().firstValue("ETag")).isPresent().get().isNotEqualTo(etag);
	}

	@Test
	void anotherTenantsJobIs404WhateverItsIfNoneMatch() {
		String path = "/v1/jobs/" + this.api.post("/v1/jobs", WorkerSide.jobJson(1, null)).json().get("id").asString();
		String etag = this.api.get(path).headers().firstValue("ETag").orElseThrow();
		ApiClient other = this.api.withToken(this.api.withToken("test-admin-token")
			.post("/v1/admin/tenants", "{\"name\":\"other\"}")
			.json()
			.get("api_key")
			.asString());
		for (String match : new String[] { etag, "*" }) {
			ApiClient.Response response = ifNoneMatch(other, path, match);
			assertProblem(response, 404, "not-found", null);
			assertThat(response.headers().firstValue("ETag")).isEmpty();
		}
	}

	private static ApiClient.Response ifNoneMatch(ApiClient client, String path, String match) {
		return client.exchange("GET", path, null, null, Map.of("Accept", "application/json", "If-None-Match", match));
	}

}
