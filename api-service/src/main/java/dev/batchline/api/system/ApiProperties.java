package dev.batchline.api.system;

import java.time.Duration;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the API service ({@code batchline.api.*}, e.g.
 * {@code BATCHLINE_API_MAX_ITEMS}).
 *
 * @param adminToken the bearer token of the admin endpoints; they are disabled when unset
 * @param maxItems the most items one job may have
 * @param maxBodyBytes the largest request body accepted by {@code POST /v1/jobs}
 * @param maxMetadataBytes the largest {@code metadata} object of a job, as JSON
 * @param chunkMaxItems the most items in one chunk
 * @param chunkMaxBytes the most bytes of instances JSON in one chunk (a single larger
 * item gets a chunk of its own)
 * @param outboxBatchSize the most outbox rows the relay publishes in one round
 * @param outboxPollInterval how often the relay looks for rows when nothing woke it
 * @param resultsPageSize the default page size of {@code GET /v1/jobs/{id}/results}
 * @param maxStreamItems the most items one job sent as NDJSON may have
 * @param maxStreamBytes the largest NDJSON body accepted by {@code POST /v1/jobs}
 * @param chunkEncoding how the outbox relay encodes chunk records for the workers
 * @param outboxRoundBytes the most stored bytes (event payloads, chunk instances) the
 * relay reads in one round; it stops taking rows past them (and always takes one)
 * @param warmupItems how many synthetic items the intake reads, checks and chunks before
 * the service reports ready ({@code IntakeWarmup}); 0 starts without
 */
@Validated
@ConfigurationProperties("batchline.api")
public record ApiProperties(String adminToken, @DefaultValue("1000000") @Min(1) int maxItems,
		@DefaultValue("67108864") @Min(1024) long maxBodyBytes, @DefaultValue("16384") @Min(2) int maxMetadataBytes,
		@DefaultValue("500") @Min(1) int chunkMaxItems, @DefaultValue("262144") @Min(64) int chunkMaxBytes,
		@DefaultValue("500") @Min(1) int outboxBatchSize, @DefaultValue("200ms") @NotNull Duration outboxPollInterval,
		@DefaultValue("1000") @Min(1) int resultsPageSize, @DefaultValue("1000000") @Min(1) long maxStreamItems,
		@DefaultValue("1073741824") @Min(1024) long maxStreamBytes,
		@DefaultValue("safetensors") @NotNull ChunkEncoding chunkEncoding,
		@DefaultValue("16777216") @Min(1) long outboxRoundBytes, @DefaultValue("300000") @Min(0) long warmupItems) {

	/** The encodings of chunk records on the chunks topic. */
	public enum ChunkEncoding {

		/**
		 * A chunk whose items are all arrays of numbers of one shape that fit the model
		 * goes as one safetensors tensor ({@code ChunkTensors}); any other as JSON.
		 */
		SAFETENSORS,

		/** Every chunk as JSON ({@code ChunkSubmitted}). */
		JSON

	}

	/** Whether the admin endpoints are enabled. */
	public boolean adminEnabled() {
		return this.adminToken != null && !this.adminToken.isBlank();
	}

}
