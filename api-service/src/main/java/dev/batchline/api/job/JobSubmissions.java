package dev.batchline.api.job;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import dev.batchline.api.intake.CustomIds;
import dev.batchline.api.intake.Items;
import dev.batchline.api.inference.InferenceProperties;
import dev.batchline.api.intake.JobRequest;
import dev.batchline.api.model.ModelCatalog;
import dev.batchline.api.model.ModelRoute;
import dev.batchline.api.model.ModelRoutingProperties.Routing;
import dev.batchline.api.outbox.Outbox;
import dev.batchline.api.system.ApiException;
import dev.batchline.api.system.ApiProperties;
import dev.batchline.contracts.DenseInstances;
import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.InstanceValidator;
import dev.batchline.contracts.ItemError;
import dev.batchline.contracts.ModelDeployed;
import dev.batchline.contracts.ModelDeployed.ModelSignature;
import dev.batchline.contracts.ProblemKind;
import dev.batchline.support.tracing.JobTracing;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.JsonNode;

import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Stores a submission: checks each item against the served model's signature and writes
 * the job, its input chunks (copied into PostgreSQL as they fill), the chunks' outbox
 * rows and the {@code job.queued} event, in the caller's one transaction, so a bad item
 * anywhere leaves nothing written.
 */
@Component
class JobSubmissions {

	private static final Logger log = LoggerFactory.getLogger(JobSubmissions.class);

	private final JobRepository jobs;

	private final ModelCatalog models;

	private final ChunkWriter chunkWriter;

	private final Outbox outbox;

	private final JobTransitions transitions;

	private final ApiProperties properties;

	private final JobLifecycleProperties lifecycle;

	private final Clock clock;

	private final MeterRegistry meters;

	private final InferenceProperties inference;

	JobSubmissions(JobRepository jobs, ModelCatalog models, ChunkWriter chunkWriter, Outbox outbox,
			JobTransitions transitions, ApiProperties properties, JobLifecycleProperties lifecycle, Clock clock,
			MeterRegistry meters, InferenceProperties inference) {
		this.jobs = jobs;
		this.models = models;
		this.chunkWriter = chunkWriter;
		this.outbox = outbox;
		this.transitions = transitions;
		this.properties = properties;
		this.lifecycle = lifecycle;
		this.clock = clock;
		this.meters = meters;
		this.inference = inference;
	}

	/**
	 * Stores a job whose items are read while they are stored.
	 * @param maxItems the most items allowed
	 * @param maxItemsProperty the setting that holds it, for the error
	 * @return the queued job
	 */
	@Transactional(propagation = Propagation.MANDATORY)
	Job store(UUID tenantId, JobRequest request, Items submitted, long maxItems, String maxItemsProperty) {
		Items items = CustomIds.of(submitted);
		// a version or label pins the job to it; a job naming only the model gets the
		// model's split (or its newest version), recorded as the job's version
		ModelRoute route = this.models.route(request.model(), request.version())
			.orElseThrow(() -> unknownModel(request));
		ModelDeployed model = route.model();
		String metadata = metadataJson(request.metadata());
		Duration window = this.lifecycle.completionWindow(request.completionWindow());
		Duration retention = this.lifecycle.resultsRetention(request.outputExpiresAfter());
		// the models whose synchronous predictions are cached have their jobs' items
		// cached too, unless the job says otherwise
		boolean cache = (request.cache() != null) ? request.cache()
				: this.inference.cache().models().contains(model.name());
		long started = System.nanoTime();
		Instant now = this.clock.instant();
		// the job row comes first (the chunks refer to it) and learns its totals at the
		// end
		Job job = this.jobs.saveAndFlush(new Job(UUID.randomUUID(), tenantId, model.name(), model.version(), 0, 0,
				metadata, request.callbackUrl(), cache, now, now.plus(window), retention));
		ChunkBuilder chunks;
		try (ChunkWriter.Copy copy = this.chunkWriter.open(job.getId())) {
			chunks = new ChunkBuilder(this.properties.chunkMaxItems(), this.properties.chunkMaxBytes(), copy);
			chunk(items, model.signature(), chunks, maxItems, maxItemsProperty);
			copy.finish();
		}
		if (chunks.items() == 0) {
			throw ApiException.invalid("The job has no items: a job needs at least one");
		}
		job.setTotals(chunks.items(), chunks.chunks(), chunks.bytes());
		this.outbox.appendChunks(job.getId(), chunks.chunks());
		this.transitions.queued(job);
		this.meters.counter("batchline.jobs.submitted", "model", model.name()).increment();
		this.meters.counter("batchline.items.submitted", "model", model.name()).increment(chunks.items());
		try (JobTracing.Scope scope = JobTracing.Scope.job(job.getId())) {
			log.info(
					"Job(id={}) queued: {} items in {} chunks for model {}:{}{}, read and stored in {} ms (before commit)",
					job.getId(), chunks.items(), chunks.chunks(), model.name(), model.version(),
					(route.label() != null) ? " (" + route.label() + ")" : "",
					(System.nanoTime() - started) / 1_000_000);
		}
		return job;
	}

	/**
	 * Reads every item into {@code chunks}, each checked against the model's signature:
	 * an item valid as it was sent is stored as its text, any other as its tree.
	 * @throws ApiException 413 past {@code maxItems}, 422 for an invalid item
	 */
	static void chunk(Items items, ModelSignature signature, ChunkBuilder chunks, long maxItems,
			String maxItemsProperty) {
		DenseInstances dense = new DenseInstances(64);
		while (items.advance()) {
			long index = chunks.items();
			if (index >= maxItems) {
				throw tooManyItems("more than " + maxItems + " items", maxItems, maxItemsProperty);
			}
			if (items.text() != null && fitsAsSent(items, dense, signature)) {
				// valid as it stands: stored as sent, no tree
				chunks.add(items.text(), items.textOffset(), items.textLength(), items.customId());
				continue;
			}
			JsonNode item = items.tree();
			Optional<ItemError> error = InstanceValidator.validate(item, signature);
			if (error.isPresent()) {
				throw invalidInstance(index, items.line(), error.get());
			}
			chunks.add(item, items.customId());
		}
		chunks.finish();
	}

	/**
	 * Whether the current item's text is one bare array of numbers that fits the model
	 * ({@link DenseInstances}); anything else (or malformed JSON) is left to the tree and
	 * the validator, which say what is wrong.
	 */
	private static boolean fitsAsSent(Items items, DenseInstances dense, ModelSignature signature) {
		if (DenseInstances.certainlyFits(items.text(), items.textOffset(), items.textLength(), signature)) {
			return true;
		}
		dense.clear();
		try (JsonParser parser = EventCodec.parser(items.text(), items.textOffset(), items.textLength())) {
			return dense.read(parser, parser.nextToken()) && parser.nextToken() == null && dense.fits(signature);
		}
		catch (JacksonException ex) {
			return false;
		}
	}

	static ApiException tooManyItems(String what, long max, String property) {
		return new ApiException(ProblemKind.TOO_MANY_ITEMS,
				"The job has " + what + "; the most allowed is " + max + " (" + property + ")");
	}

	private static ApiException invalidInstance(long index, long line, ItemError error) {
		Map<String, Object> where = new LinkedHashMap<>();
		where.put("item_index", index);
		if (line > 0) {
			where.put("line", line);
		}
		where.put("code", error.code());
		return new ApiException(ProblemKind.INVALID_INSTANCE,
				"instances[" + index + "]" + ((line > 0) ? " (line " + line + ")" : "") + ": " + error.message(),
				where);
	}

	private ApiException unknownModel(JobRequest request) {
		String what = (request.version() != null) ? request.model() + ":" + request.version() : request.model();
		Routing routing = this.models.routing(request.model());
		String why = "";
		if (request.version() == null && routing.hasSplit()) {
			why = " (no version of its split " + routing.split().keySet() + " is served)";
		}
		else if (request.version() != null && !routing.labels().isEmpty()) {
			why = " (its labels: " + routing.labels() + ")";
		}
		return new ApiException(ProblemKind.UNKNOWN_MODEL,
				"No worker serves model '" + what + "'" + why + "; served models: " + this.models.names(),
				Map.of("model", request.model()));
	}

	private String metadataJson(JsonNode metadata) {
		if (metadata == null) {
			return null;
		}
		String json = metadata.toString();
		if (json.getBytes(StandardCharsets.UTF_8).length > this.properties.maxMetadataBytes()) {
			throw ApiException.invalid("'metadata' is larger than " + this.properties.maxMetadataBytes()
					+ " bytes (batchline.api.max-metadata-bytes)");
		}
		if (json.contains("\\u0000")) {
			throw ApiException.invalid("'metadata' must not contain NUL characters");
		}
		return json;
	}

}
