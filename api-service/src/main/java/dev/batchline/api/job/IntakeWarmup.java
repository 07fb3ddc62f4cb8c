package dev.batchline.api.job;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import dev.batchline.api.intake.BodySpool;
import dev.batchline.api.intake.BodySpools;
import dev.batchline.api.intake.CustomIds;
import dev.batchline.api.intake.Items;
import dev.batchline.api.intake.JsonJobBody;
import dev.batchline.api.intake.NdjsonItems;
import dev.batchline.api.intake.UploadProperties;
import dev.batchline.api.system.ApiProperties;
import dev.batchline.contracts.ModelDeployed.ModelSignature;
import dev.batchline.contracts.ModelDeployed.TensorSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * Runs the intake's own code over synthetic jobs before the service reports ready, as
 * TensorFlow Serving and Triton warm a model up: each job is received into a spool, read
 * as JSON (or NDJSON), its items checked against a four-feature signature and chunked,
 * and the chunks dropped. Nothing is written anywhere. Without it the JIT compiles these
 * paths while the first large job waits: that job took 3 to 5 times as long as the next
 * ones. {@code batchline.api.warmup-items} (0 turns it off) sets how many items it reads;
 * the runner runs after the context is built, and {@code /readyz} answers 200 only once
 * it is done.
 */
@Component
class IntakeWarmup implements ApplicationRunner {

	private static final Logger log = LoggerFactory.getLogger(IntakeWarmup.class);

	/**
	 * Items of one synthetic job: two thirds of them go as JSON bodies, the rest as
	 * NDJSON.
	 */
	static final int JOB_ITEMS = 10_000;

	private static final ModelSignature SIGNATURE = new ModelSignature(
			List.of(new TensorSpec("features", "float32", List.of(-1L, 4L))),
			List.of(new TensorSpec("class_id", "int64", List.of(-1L))));

	private final BodySpools spools;

	private final ApiProperties properties;

	private final UploadProperties upload;

	IntakeWarmup(BodySpools spools, ApiProperties properties, UploadProperties upload) {
		this.spools = spools;
		this.properties = properties;
		this.upload = upload;
	}

	@Override
	public void run(ApplicationArguments args) {
		if (this.properties.warmupItems() == 0) {
			return;
		}
		long started = System.nanoTime();
		long items = warmUp(this.properties.warmupItems());
		log.info("Intake warmed up on {} synthetic items in {} ms", items, (System.nanoTime() - started) / 1_000_000);
	}

	/**
	 * Reads, checks and chunks about {@code total} synthetic items, in jobs of
	 * {@link #JOB_ITEMS}.
	 * @return the items chunked
	 */
	long warmUp(long total) {
		StringBuilder rows = new StringBuilder();
		for (int i = 0; i < JOB_ITEMS; i++) {
			rows.append('[')
				.append(4 + (i % 40) / 10.0)
				.append(',')
				.append(2 + (i % 25) / 10.0)
				.append(',')
				.append(1 + (i % 60) / 10.0)
				.append(',')
				.append((i % 25) / 10.0)
				.append("]\n");
		}
		byte[] ndjson = rows.toString().getBytes(StandardCharsets.UTF_8);
		byte[] json = ("{\"model\":\"warmup\",\"instances\":[" + rows.toString().strip().replace("\n", ",") + "]}")
			.getBytes(StandardCharsets.UTF_8);
		long chunked = 0;
		for (int job = 0; chunked < total; job++) {
			chunked += (job % 3 == 2) ? chunkNdjson(ndjson) : chunkJson(json);
		}
		return chunked;
	}

	private long chunkJson(byte[] body) {
		try (BodySpool spool = this.spools.read(new ByteArrayInputStream(body), body.length, "warm-up", false)) {
			JsonJobBody job = JsonJobBody.scan(spool, JOB_ITEMS, "warm-up", this.upload.maxItemBytes(),
					this.properties.maxMetadataBytes());
			return chunk(job.items());
		}
	}

	private long chunkNdjson(byte[] body) {
		try (BodySpool spool = this.spools.read(new ByteArrayInputStream(body), body.length, "warm-up", true)) {
			return chunk(new NdjsonItems(spool.open(), body.length, "warm-up", this.upload.maxItemBytes(),
					spool.nonBlankLines()));
		}
	}

	private long chunk(Items items) {
		ChunkBuilder chunks = new ChunkBuilder(this.properties.chunkMaxItems(), this.properties.chunkMaxBytes(),
				(chunk) -> {
				});
		JobSubmissions.chunk(CustomIds.of(items), SIGNATURE, chunks, JOB_ITEMS, "warm-up");
		return chunks.items();
	}

}
