package dev.batchline.api.job;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import dev.batchline.api.model.ModelCatalog;
import dev.batchline.api.outbox.Outbox;
import dev.batchline.api.results.ResultStore;
import dev.batchline.api.system.ApiException;
import dev.batchline.api.system.ApiProperties;
import dev.batchline.contracts.ChunkCompleted;
import dev.batchline.contracts.DenseInstances;
import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.InstanceValidator;
import dev.batchline.contracts.ItemError;
import dev.batchline.contracts.JobEvent;
import dev.batchline.contracts.ModelDeployed;
import dev.batchline.contracts.ModelDeployed.ModelSignature;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.JsonNode;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Manages jobs: accepts submissions (job, input chunks and outbox rows in one
 * transaction), records chunk results and moves jobs through {@link JobState}'s
 * transitions, keeping the history and announcing each change as a {@code job.*} event.
 */
@Service
public class JobManagement {

	private static final Logger log = LoggerFactory.getLogger(JobManagement.class);

	private final JobRepository jobs;

	private final JobStateChangeRepository history;

	private final ModelCatalog models;

	private final Outbox outbox;

	private final ResultStore results;

	private final ApiProperties properties;

	private final Clock clock;

	private final MeterRegistry meters;

	private final ChunkWriter chunkWriter;

	private final JobLifecycleProperties lifecycle;

	JobManagement(JobRepository jobs, JobStateChangeRepository history, ModelCatalog models, Outbox outbox,
			ResultStore results, ChunkWriter chunkWriter, ApiProperties properties, Clock clock, MeterRegistry meters,
			JobLifecycleProperties lifecycle) {
		this.lifecycle = lifecycle;
		this.jobs = jobs;
		this.history = history;
		this.models = models;
		this.outbox = outbox;
		this.results = results;
		this.chunkWriter = chunkWriter;
		this.properties = properties;
		this.clock = clock;
		this.meters = meters;
	}

	/**
	 * Validates a submission against the served model and stores it: the job, its input
	 * chunks, the chunks' outbox rows and the {@code job.queued} event, in one
	 * transaction. The caller has checked the callback URL already, outside of this
	 * transaction (see {@link dev.batchline.api.webhook.WebhookUrls}).
	 * @param tenantId the submitting tenant
	 * @param request the submission
	 * @return the queued job
	 */
	@Transactional
	public Job submit(UUID tenantId, JobRequest request) {
		List<JsonNode> items = request.instances();
		if (items.isEmpty()) {
			throw ApiException.invalid("'instances' is empty: a job needs at least one item");
		}
		if (items.size() > this.properties.maxItems()) {
			throw tooManyItems(items.size() + " items", this.properties.maxItems(), "batchline.api.max-items");
		}
		return store(tenantId, request, Items.of(items), this.properties.maxItems(), "batchline.api.max-items");
	}

	/**
	 * Stores a submission whose items are read while they are stored (an NDJSON stream):
	 * like {@link #submit(UUID, JobRequest)}, in one transaction, so a bad item anywhere
	 * leaves nothing written.
	 * @param tenantId the submitting tenant
	 * @param request the submission's fields but its items
	 * @param items the items, read once
	 * @return the queued job
	 */
	@Transactional
	public Job submit(UUID tenantId, JobRequest request, Items items) {
		return store(tenantId, request, items, this.properties.maxStreamItems(), "batchline.api.max-stream-items");
	}

	/**
	 * Validates each item against the served model and stores the job, its input chunks
	 * (copied as they fill), the chunks' outbox rows and the {@code job.queued} event.
	 * The job row comes first (the chunks refer to it) and learns its totals at the end.
	 */
	private Job store(UUID tenantId, JobRequest request, Items items, long maxItems, String maxItemsProperty) {
		ModelDeployed model = this.models.find(request.model(), request.version())
			.orElseThrow(() -> unknownModel(request));
		String metadata = metadataJson(request.metadata());
		Duration window = this.lifecycle.completionWindow(request.completionWindow());
		long started = System.nanoTime();
		Instant now = this.clock.instant();
		Job job = this.jobs.saveAndFlush(new Job(UUID.randomUUID(), tenantId, model.name(), model.version(), 0, 0,
				metadata, request.callbackUrl(), now, now.plus(window)));
		this.history.save(new JobStateChange(job.getId(), null, JobState.QUEUED, "submitted", now));
		ChunkBuilder chunks;
		try (ChunkWriter.Copy copy = this.chunkWriter.open(job.getId())) {
			chunks = new ChunkBuilder(this.properties.chunkMaxItems(), this.properties.chunkMaxBytes(), copy);
			DenseInstances dense = new DenseInstances(64);
			while (items.advance()) {
				long index = chunks.items();
				if (index >= maxItems) {
					throw tooManyItems("more than " + maxItems + " items", maxItems, maxItemsProperty);
				}
				if (items.text() != null && fitsAsSent(items, dense, model.signature())) {
					// valid as it stands: stored as sent, no tree
					chunks.add(items.text(), items.textOffset(), items.textLength());
					continue;
				}
				JsonNode item = items.tree();
				Optional<ItemError> error = InstanceValidator.validate(item, model.signature());
				if (error.isPresent()) {
					throw invalidInstance(index, items.line(), error.get());
				}
				chunks.add(item);
			}
			chunks.finish();
			copy.finish();
		}
		if (chunks.items() == 0) {
			throw ApiException.invalid("The job has no items: a job needs at least one");
		}
		job.setTotals(chunks.items(), chunks.chunks());
		this.outbox.appendChunks(job.getId(), chunks.chunks());
		this.outbox.appendJobEvent(event(job, JobState.QUEUED.eventType(), "submitted"));
		this.meters.counter("batchline.jobs.submitted", "model", model.name()).increment();
		this.meters.counter("batchline.items.submitted", "model", model.name()).increment(chunks.items());
		log.info("Job(id={}) queued: {} items in {} chunks for model {}:{}, read and stored in {} ms (before commit)",
				job.getId(), chunks.items(), chunks.chunks(), model.name(), model.version(),
				(System.nanoTime() - started) / 1_000_000);
		return job;
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

	private static ApiException invalidInstance(long index, long line, ItemError error) {
		Map<String, Object> where = new LinkedHashMap<>();
		where.put("item_index", index);
		if (line > 0) {
			where.put("line", line);
		}
		where.put("code", error.code());
		return new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "invalid-instance", "Invalid instance",
				"instances[" + index + "]" + ((line > 0) ? " (line " + line + ")" : "") + ": " + error.message(),
				where);
	}

	private static ApiException tooManyItems(String what, long max, String property) {
		return new ApiException(HttpStatus.CONTENT_TOO_LARGE, "too-many-items", "Too many items",
				"The job has " + what + "; the most allowed is " + max + " (" + property + ")");
	}

	/**
	 * Records one chunk result, exactly once: a result already recorded (a redelivery)
	 * changes nothing. Starts the job on its first result and finishes it on its last.
	 * @param result the chunk result
	 * @return whether the result was new
	 */
	@Transactional(propagation = Propagation.REQUIRED)
	public boolean recordChunk(ChunkCompleted result) {
		return recordChunks(result.jobId(), List.of(result)) == 1;
	}

	/**
	 * Records chunk results of one job, in order, each exactly once (see
	 * {@link #recordChunk}); the job is locked and read once for all of them.
	 * @param jobId the job
	 * @param results its chunk results
	 * @return how many were new
	 */
	@Transactional(propagation = Propagation.REQUIRED)
	public int recordChunks(UUID jobId, List<ChunkCompleted> results) {
		Optional<Job> found = this.jobs.findForUpdate(jobId);
		if (found.isEmpty()) {
			log.warn("Job(id={}): {} chunk result(s) for an unknown job ignored", jobId, results.size());
			return 0;
		}
		int recorded = 0;
		for (ChunkCompleted result : results) {
			recorded += record(found.get(), result) ? 1 : 0;
		}
		return recorded;
	}

	private boolean record(Job job, ChunkCompleted result) {
		if (result.chunk() < 0 || result.chunk() >= job.getTotalChunks()) {
			log.warn("Job(id={}) chunk {}: result for a chunk the job does not have ignored", job.getId(),
					result.chunk());
			return false;
		}
		if (job.getState().isTerminal()) {
			// a finished job never changes again: an expired or cancelled job keeps what
			// it had when it finished
			log.debug("Job(id={}) chunk {}: result after the job finished ({}) ignored", job.getId(), result.chunk(),
					job.getState());
			return false;
		}
		long failed = result.failedCount();
		if (!this.results.insert(result, failed, this.clock.instant())) {
			log.debug("Job(id={}) chunk {}: duplicate result ignored", job.getId(), result.chunk());
			return false;
		}
		if (job.getState() == JobState.QUEUED && !result.skipped()) {
			transition(job, JobState.RUNNING, "first results recorded");
		}
		job.countChunk(result.items().size() - failed, failed, this.clock.instant());
		if (!job.allChunksRecorded() && passedATenth(job)) {
			this.outbox.appendJobEvent(event(job, JobEvent.PROGRESS,
					job.getCompletedChunks() + " of " + job.getTotalChunks() + " chunks processed"));
		}
		if (job.allChunksRecorded() && job.getState() == JobState.CANCELLING) {
			transition(job, JobState.CANCELLED, "cancelled: " + (job.getSucceededItems() + job.getFailedItems())
					+ " items processed, " + job.getUnprocessedItems() + " skipped");
		}
		else if (job.allChunksRecorded() && !job.getState().isTerminal()) {
			JobState end = (job.getFailedItems() == 0) ? JobState.SUCCEEDED
					: (job.getSucceededItems() == 0) ? JobState.FAILED : JobState.PARTIALLY_SUCCEEDED;
			transition(job, end,
					"all " + job.getTotalItems() + " items processed, " + job.getFailedItems() + " failed");
		}
		return true;
	}

	/**
	 * A progress event at every tenth of a job's chunks: at most nine per job, never a
	 * flood.
	 */
	private static boolean passedATenth(Job job) {
		int total = job.getTotalChunks();
		int done = job.getCompletedChunks();
		return total >= 10 && (done * 10L / total) > ((done - 1) * 10L / total);
	}

	/** Moves a job to {@code next}, or fails when {@link JobState} does not allow it. */
	void transition(Job job, JobState next, String reason) {
		JobState from = job.getState();
		if (!from.canMoveTo(next)) {
			throw new IllegalStateException("Job(id=" + job.getId() + ") cannot move from " + from + " to " + next);
		}
		Instant now = this.clock.instant();
		job.moveTo(next, now);
		this.history.save(new JobStateChange(job.getId(), from, next, reason, now));
		this.outbox.appendJobEvent(event(job, next.eventType(), reason));
		if (next.isTerminal()) {
			this.meters.counter("batchline.jobs.finished", "model", job.getModel(), "state", next.name()).increment();
		}
		log.info("Job(id={}) {} -> {}: {}", job.getId(), from, next, reason);
	}

	/** A tenant's job, or 404 (also for another tenant's job, so ids do not leak). */
	@Transactional(readOnly = true)
	public Job get(UUID tenantId, UUID jobId) {
		return this.jobs.findByIdAndTenantId(jobId, tenantId).orElseThrow(() -> ApiException.notFound("Job " + jobId));
	}

	@Transactional(readOnly = true)
	List<JobStateChange> history(UUID jobId) {
		return this.history.findByJobIdOrderById(jobId);
	}

	private JobEvent event(Job job, String type, String reason) {
		return new JobEvent(UUID.randomUUID(), type, job.getUpdatedAt(), job.getId(), job.getTenantId(), job.getModel(),
				job.getModelVersion(), job.getState().name(), reason, job.getTotalItems(), job.getSucceededItems(),
				job.getFailedItems(), job.getState().isTerminal() ? job.getCallbackUrl() : null);
	}

	private ApiException unknownModel(JobRequest request) {
		String what = (request.version() != null) ? request.model() + ":" + request.version() : request.model();
		return new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "unknown-model", "Unknown model",
				"No worker serves model '" + what + "'; served models: " + this.models.names(),
				Map.of("model", request.model()));
	}

	private String metadataJson(JsonNode metadata) {
		if (metadata == null) {
			return null;
		}
		String json = metadata.toString();
		if (json.length() > this.properties.maxMetadataBytes()) {
			throw ApiException.invalid("'metadata' is larger than " + this.properties.maxMetadataBytes()
					+ " bytes (batchline.api.max-metadata-bytes)");
		}
		if (json.contains("\\u0000")) {
			throw ApiException.invalid("'metadata' must not contain NUL characters");
		}
		return json;
	}

}
