package dev.batchline.api;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import dev.batchline.contracts.ChunkSubmitted;
import dev.batchline.contracts.ChunkTensors;
import dev.batchline.contracts.CloudEventRecords;
import dev.batchline.testsupport.Fixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;

import static dev.batchline.api.ApiClient.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A job's {@code cache} against a real PostgreSQL and a real Kafka broker: asked for in a
 * JSON body or an NDJSON query, or by default for a model listed in
 * {@code batchline.api.inference.cache.models}, it is stored with the job, shown in its
 * view and carried on every chunk record the relay publishes, as a tensor or as JSON.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "batchline.api.admin-token=test-admin-token", "batchline.api.chunk-max-items=100",
				"batchline.api.inference.cache.models=iris", "batchline.topics.prefix=cache-it",
				"batchline.topics.partitions=3" })
class JobCacheIntegrationTests extends ApiIntegrationTest {

	private static final String NDJSON = "application/x-ndjson";

	/** A model with Iris's signature that is not listed for the cache. */
	private static final String PLAIN = "plain";

	JobCacheIntegrationTests() {
		super("cache-it", null);
	}

	@BeforeAll
	void announcePlainModel() {
		this.workers.announce(Fixtures.deployed(PLAIN, "1", Fixtures.IRIS));
		await().atMost(Duration.ofSeconds(30))
			.until(() -> this.api.get("/v1/models").json().get("data").toString().contains(PLAIN));
	}

	@Test
	void aJsonJobThatAsksForTheCacheCarriesItOnEveryChunkRecordAsTensorOrJson() {
		ApiClient.Response submitted = this.api.post("/v1/jobs", job(PLAIN, 250, "\"cache\":true"));
		assertThat(submitted.status()).isEqualTo(202);
		assertThat(submitted.json().get("cache").asBoolean()).isTrue();
		UUID tensorJob = UUID.fromString(submitted.json().get("id").asString());
		assertThat(this.api.get("/v1/jobs/" + tensorJob).json().get("cache").asBoolean()).isTrue();
		List<ChunkSubmitted> chunks = this.workers.chunksOf(tensorJob, 3);
		assertThat(chunks).extracting(ChunkSubmitted::cache).containsExactly(true, true, true);
		assertThat(this.workers.contentTypeOf(tensorJob, 0)).isEqualTo(ChunkTensors.CONTENT_TYPE);

		// named inputs go to the workers as JSON
		String named = IntStream.range(0, 150)
			.mapToObj((i) -> "{\"features\":[" + i + ".0,3.5,1.4,0.2]}")
			.collect(Collectors.joining(",", "{\"model\":\"plain\",\"cache\":true,\"instances\":[", "]}"));
		UUID jsonJob = UUID.fromString(this.api.post("/v1/jobs", named).json().get("id").asString());
		assertThat(this.workers.chunksOf(jsonJob, 2)).extracting(ChunkSubmitted::cache).containsExactly(true, true);
		assertThat(this.workers.contentTypeOf(jsonJob, 1)).isEqualTo(CloudEventRecords.JSON);

		UUID uncached = UUID.fromString(this.api.post("/v1/jobs", job(PLAIN, 150, null)).json().get("id").asString());
		assertThat(this.api.get("/v1/jobs/" + uncached).json().get("cache").asBoolean()).isFalse();
		assertThat(this.workers.chunksOf(uncached, 2)).extracting(ChunkSubmitted::cache).containsExactly(false, false);
	}

	@Test
	void anNdjsonJobAsksWithTheQueryParameter() {
		String lines = IntStream.range(0, 150)
			.mapToObj((i) -> "[" + i + ".0,3.5,1.4,0.2]")
			.collect(Collectors.joining("\n"));
		ApiClient.Response cached = this.api.post("/v1/jobs?model=plain&cache=true", NDJSON, lines);
		assertThat(cached.status()).isEqualTo(202);
		assertThat(cached.json().get("cache").asBoolean()).isTrue();
		UUID cachedJob = UUID.fromString(cached.json().get("id").asString());
		assertThat(this.workers.chunksOf(cachedJob, 2)).extracting(ChunkSubmitted::cache).containsExactly(true, true);

		ApiClient.Response plain = this.api.post("/v1/jobs?model=plain", NDJSON, lines);
		assertThat(plain.json().get("cache").asBoolean()).isFalse();
		assertThat(this.workers.chunksOf(UUID.fromString(plain.json().get("id").asString()), 2))
			.extracting(ChunkSubmitted::cache)
			.containsExactly(false, false);

		assertProblem(this.api.post("/v1/jobs?model=plain&cache=yes", NDJSON, lines), 422, "invalid-request",
				"'cache' must be true or false");
	}

	@Test
	void aModelListedForTheCacheCachesItsJobsUnlessTheySayFalse() {
		ApiClient.Response byDefault = this.api.post("/v1/jobs", job("iris", 150, null));
		assertThat(byDefault.json().get("cache").asBoolean()).isTrue();
		assertThat(this.workers.chunksOf(UUID.fromString(byDefault.json().get("id").asString()), 2))
			.extracting(ChunkSubmitted::cache)
			.containsExactly(true, true);

		ApiClient.Response optedOut = this.api.post("/v1/jobs", job("iris", 150, "\"cache\":false"));
		UUID optedOutJob = UUID.fromString(optedOut.json().get("id").asString());
		assertThat(this.api.get("/v1/jobs/" + optedOutJob).json().get("cache").asBoolean()).isFalse();
		assertThat(this.workers.chunksOf(optedOutJob, 2)).extracting(ChunkSubmitted::cache)
			.containsExactly(false, false);

		ApiClient.Response ndjson = this.api.post("/v1/jobs?model=iris&cache=false", NDJSON, "[5.1,3.5,1.4,0.2]");
		assertThat(ndjson.json().get("cache").asBoolean()).isFalse();

		assertProblem(this.api.post("/v1/jobs", job("iris", 1, "\"cache\":\"yes\"")), 422, "invalid-request",
				"'cache' must be true or false");
	}

	private static String job(String model, int items, String field) {
		String instances = IntStream.range(0, items)
			.mapToObj((i) -> "[" + i + ".0,3.5,1.4,0.2]")
			.collect(Collectors.joining(","));
		return "{\"model\":\"" + model + "\"," + ((field != null) ? field + "," : "") + "\"instances\":[" + instances
				+ "]}";
	}

}
