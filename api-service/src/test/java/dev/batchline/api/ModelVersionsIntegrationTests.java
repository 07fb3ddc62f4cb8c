package dev.batchline.api;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

import dev.batchline.contracts.ModelDeployed;
import dev.batchline.testsupport.Fixtures;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;

import static dev.batchline.api.ApiClient.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Model versions through the running service and the real broker: labels and the split
 * route jobs, a label or version pins them, and a version is listed while a worker
 * announces it: withdrawn by a worker's tombstone, expired when its heartbeats stop, kept
 * while another worker still serves it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "batchline.api.admin-token=test-admin-token", "batchline.api.limits.enabled=false",
				"batchline.topics.prefix=versions-it", "batchline.topics.partitions=1",
				"batchline.api.catalog.expire-after=10s", "batchline.api.models.rose.labels.stable=1",
				"batchline.api.models.rose.labels.canary=2", "batchline.api.models.rose.labels.next=3",
				"batchline.api.models.rose.split.stable=50", "batchline.api.models.rose.split.canary=50" })
class ModelVersionsIntegrationTests extends ApiIntegrationTest {

	private static final String ITEMS = "\"instances\":[[5.1,3.5,1.4,0.2]]";

	ModelVersionsIntegrationTests() {
		super("versions-it", null);
	}

	@Test
	void jobsNamingOnlyTheModelAreSplitAndALabelOrAVersionPinsThem() {
		announce("rose", "1", "w1", Instant.now());
		announce("rose", "2", "w2", Instant.now());
		await().atMost(Duration.ofSeconds(30)).until(() -> workers("rose", "1") == 1 && workers("rose", "2") == 1);

		Set<String> versions = new HashSet<>();
		for (int i = 0; i < 30; i++) {
			versions.add(submit("{\"model\":\"rose\"," + ITEMS + "}").get("version").asString());
		}
		// 50:50, so both (all 30 on one side: 2 in a billion)
		assertThat(versions).containsExactlyInAnyOrder("1", "2");
		assertThat(submit("{\"model\":\"rose\",\"version\":\"canary\"," + ITEMS + "}").get("version").asString())
			.isEqualTo("2");
		assertThat(submit("{\"model\":\"rose\",\"version\":1," + ITEMS + "}").get("version").asString()).isEqualTo("1");
		ApiClient.Response stream = this.api.post("/v1/jobs?model=rose&version=stable", "application/x-ndjson",
				"[5.1,3.5,1.4,0.2]\n");
		assertThat(stream.status()).as(stream.body()).isEqualTo(202);
		assertThat(stream.json().get("version").asString()).isEqualTo("1");
		String id = stream.json().get("id").asString();
		assertThat(this.api.get("/v1/jobs/" + id).json().get("version").asString()).isEqualTo("1");

		assertProblem(this.api.post("/v1/jobs", "{\"model\":\"rose\",\"version\":\"beta\"," + ITEMS + "}"), 422,
				"unknown-model", "rose:beta' (its labels: {canary=2, next=3, stable=1})");
		// a label whose version no worker serves
		assertProblem(this.api.post("/v1/jobs", "{\"model\":\"rose\",\"version\":\"next\"," + ITEMS + "}"), 422,
				"unknown-model", "rose:next");

		JsonNode rose = this.api.get("/v1/models/rose").json();
		assertThat(rose.get("labels").get("canary").asString()).isEqualTo("2");
		assertThat(rose.get("split").get(0).get("label").asString()).isEqualTo("canary");
		assertThat(rose.get("split").get(0).get("weight").asInt()).isEqualTo(50);
		assertThat(rose.get("split").get(0).get("served").asBoolean()).isTrue();
		assertThat(rose.get("versions").get(1).get("labels").get(0).asString()).isEqualTo("canary");
		assertThat(rose.get("versions").get(1).get("fingerprint").asString()).isEqualTo("sha256:rose-2");
		JsonNode listed = this.api.get("/v1/models").json().get("data");
		assertThat(listed.toString()).contains("\"labels\":{\"canary\":\"2\",\"next\":\"3\",\"stable\":\"1\"}");

		// the canary withdrawn: the split skips it
		this.workers.withdraw(ModelDeployed.key("rose", "2", "w2"));
		await().atMost(Duration.ofSeconds(30)).until(() -> workers("rose", "2") == 0);
		for (int i = 0; i < 5; i++) {
			assertThat(submit("{\"model\":\"rose\"," + ITEMS + "}").get("version").asString()).isEqualTo("1");
		}
		assertProblem(this.api.post("/v1/jobs", "{\"model\":\"rose\",\"version\":\"canary\"," + ITEMS + "}"), 422,
				"unknown-model", null);
	}

	@Test
	void aVersionIsListedWhileOneOfItsWorkersServesItAndGoneWhenTheLastWithdraws() {
		announce("tulip", "1", "w1", Instant.now());
		announce("tulip", "1", "w2", Instant.now());
		await().atMost(Duration.ofSeconds(30)).until(() -> workers("tulip", "1") == 2);
		this.workers.withdraw(ModelDeployed.key("tulip", "1", "w1"));
		await().atMost(Duration.ofSeconds(30)).until(() -> workers("tulip", "1") == 1);
		assertThat(this.api.get("/v1/models").json().get("data").toString()).contains("\"tulip\"");
		assertThat(submit("{\"model\":\"tulip\"," + ITEMS + "}").get("version").asString()).isEqualTo("1");
		this.workers.withdraw(ModelDeployed.key("tulip", "1", "w2"));
		await().atMost(Duration.ofSeconds(30)).until(() -> this.api.get("/v1/models/tulip").status() == 404);
		assertThat(this.api.get("/v1/models").json().get("data").toString()).doesNotContain("\"tulip\"");
		assertProblem(this.api.post("/v1/jobs", "{\"model\":\"tulip\"," + ITEMS + "}"), 422, "unknown-model", "tulip");
	}

	@Test
	void aWorkersVersionExpiresWhenItsHeartbeatsStop() {
		// announced 5 s ago: 5 s left before batchline.api.catalog.expire-after (10 s)
		announce("lily", "1", "w1", Instant.now().minusSeconds(5));
		// an old announcement, as read again from the topic's start: never listed
		announce("lily", "2", "w1", Instant.now().minusSeconds(60));
		await().atMost(Duration.ofSeconds(5)).until(() -> workers("lily", "1") == 1);
		assertThat(workers("lily", "2")).isZero();
		await().atMost(Duration.ofSeconds(30)).until(() -> this.api.get("/v1/models/lily").status() == 404);
		// a heartbeat brings it back
		announce("lily", "1", "w1", Instant.now());
		await().atMost(Duration.ofSeconds(30)).until(() -> workers("lily", "1") == 1);
	}

	private void announce(String name, String version, String worker, Instant at) {
		this.workers.announce(new ModelDeployed(name, version, Fixtures.IRIS, 256, at, worker, at,
				"sha256:" + name + "-" + version, null));
	}

	/** How many workers the service says serve a version (0 when it is not listed). */
	private int workers(String name, String version) {
		ApiClient.Response model = this.api.get("/v1/models/" + name);
		if (model.status() != 200) {
			return 0;
		}
		for (JsonNode served : model.json().get("versions")) {
			if (served.get("version").asString().equals(version)) {
				return served.get("workers").asInt();
			}
		}
		return 0;
	}

	private JsonNode submit(String json) {
		ApiClient.Response submitted = this.api.post("/v1/jobs", json);
		assertThat(submitted.status()).as(submitted.body()).isEqualTo(202);
		return submitted.json();
	}

}
