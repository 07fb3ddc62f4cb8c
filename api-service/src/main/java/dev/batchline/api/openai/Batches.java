package dev.batchline.api.openai;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import dev.batchline.api.intake.JobRequest;
import dev.batchline.api.intake.OutputExpiry;
import dev.batchline.api.intake.UploadProperties;
import dev.batchline.api.job.JobManagement;
import dev.batchline.api.job.JobView;
import dev.batchline.api.model.ModelCatalog;
import dev.batchline.api.model.ModelRoute;
import dev.batchline.api.openai.BatchObject.BatchError;
import dev.batchline.api.openai.BatchObject.Errors;
import dev.batchline.api.system.ApiException;
import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.ModelDeployed.ModelSignature;
import dev.batchline.contracts.ProblemKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * OpenAI-style batches over the job core: a batch is one job whose items are its input
 * file's requests (their {@code custom_id}s the items' ids), submitted, read and
 * cancelled through {@link JobManagement} like any other. The input is read and checked
 * when the batch is made: a file the job core refuses (a bad line, a repeated
 * {@code custom_id}, a model no worker serves) makes a {@code failed} batch whose
 * {@code errors} say why, as OpenAI's validation does; nothing of it is stored.
 */
@Component
class Batches {

	private static final Logger log = LoggerFactory.getLogger(Batches.class);

	private static final Set<String> FIELDS = Set.of("input_file_id", "endpoint", "completion_window", "metadata",
			"output_expires_after");

	/**
	 * The problems of an input the job core refuses: the batch fails, as OpenAI's
	 * validation.
	 */
	private static final Set<ProblemKind> INPUT_PROBLEMS = Set.of(ProblemKind.BAD_REQUEST, ProblemKind.MALFORMED_JSON,
			ProblemKind.INVALID_REQUEST, ProblemKind.INVALID_INSTANCE, ProblemKind.DUPLICATE_CUSTOM_ID,
			ProblemKind.UNKNOWN_MODEL, ProblemKind.TOO_MANY_ITEMS, ProblemKind.ITEM_TOO_LARGE,
			ProblemKind.BODY_TOO_LARGE);

	private static final int MAX_METADATA_PAIRS = 16;

	private final JobManagement jobs;

	private final ModelCatalog models;

	private final BatchFiles files;

	private final JdbcTemplate jdbc;

	private final TransactionTemplate transactions;

	private final OpenAiProperties properties;

	private final UploadProperties upload;

	private final Clock clock;

	Batches(JobManagement jobs, ModelCatalog models, BatchFiles files, JdbcTemplate jdbc,
			TransactionTemplate transactions, OpenAiProperties properties, UploadProperties upload, Clock clock) {
		this.jobs = jobs;
		this.models = models;
		this.files = files;
		this.jdbc = jdbc;
		this.transactions = transactions;
		this.properties = properties;
		this.upload = upload;
		this.clock = clock;
	}

	/**
	 * A stored batch.
	 *
	 * @param errors why its input was refused, or null
	 * @param signature the signature its outputs are written in, or null when it failed
	 */
	record StoredBatch(String id, UUID tenantId, UUID jobId, String inputFileId, BatchEndpoint endpoint,
			String completionWindow, JsonNode metadata, Errors errors, String outputFileId, String errorFileId,
			Instant createdAt, Instant failedAt, ModelSignature signature) {
	}

	/**
	 * Makes a batch of an uploaded file's requests.
	 * @param request the body of {@code POST /v1/batches}
	 * @return the batch, {@code in_progress}, or {@code failed} when its input was
	 * refused
	 * @throws ApiException 400 for a bad request, 404 for an unknown file, 429 over the
	 * tenant's limits
	 */
	BatchObject create(UUID tenantId, JsonNode request) {
		for (String field : request.propertyNames()) {
			if (!FIELDS.contains(field)) {
				throw ApiException.badRequest("unknown field '" + field + "'");
			}
		}
		BatchEndpoint endpoint = BatchEndpoint.of(request.path("endpoint").asString(null));
		String window = request.path("completion_window").asString(null);
		if (window == null) {
			throw ApiException.badRequest("'completion_window' is required, e.g. \"24h\"");
		}
		Duration completionWindow = JobRequest.completionWindow(request.get("completion_window"));
		Duration outputExpiry = OutputExpiry.fromJson(request.get("output_expires_after"));
		JsonNode metadata = metadata(request.get("metadata"));
		String fileId = request.path("input_file_id").asString(null);
		if (fileId == null) {
			throw ApiException.badRequest("'input_file_id' is required");
		}
		BatchFiles.StoredFile file = this.files.find(tenantId, fileId);
		if (!file.uploaded()) {
			throw ApiException.badRequest(
					"file '" + fileId + "' is a batch's " + file.purpose() + ", not an input (purpose 'batch')");
		}
		String id = BatchFiles.newId("batch_");
		if (file.lines() == 0) {
			return fail(tenantId, id, fileId, endpoint, window, metadata,
					new BatchError("empty_file", "The input file has no requests", null, null));
		}
		Optional<ModelRoute> route = this.models.route(endpoint.model(), endpoint.version());
		if (route.isEmpty()) {
			return fail(tenantId, id, fileId, endpoint, window, metadata, new BatchError("unknown-model",
					"No worker serves the model of '" + endpoint.path() + "'", "endpoint", null));
		}
		this.jobs.admit(tenantId, file.lines());
		// the job runs the version whose signature read the lines
		ModelSignature signature = route.get().model().signature();
		JobRequest job = new JobRequest(endpoint.model(), route.get().model().version(), metadata, null,
				completionWindow, outputExpiry, null);
		long maxFile = this.properties.maxFileBytes().toBytes();
		try (InputStream content = this.files.open(file)) {
			JobView view = this.transactions.execute((status) -> {
				JobView queued = this.jobs.submit(tenantId, job, new BatchLines(content, file.lines(), maxFile,
						this.upload.maxItemBytes() + 16 * 1024, endpoint, signature));
				insert(tenantId, id, queued.id(), fileId, endpoint, window, metadata, null, signature);
				return queued;
			});
			log.info("Batch(id={}) of tenant {} is Job(id={}): {} requests to {}", id, tenantId, view.id(),
					view.counts().total(), endpoint.path());
			return BatchObject.of(find(tenantId, id), view);
		}
		catch (ApiException ex) {
			if (!INPUT_PROBLEMS.contains(ex.kind())) {
				throw ex;
			}
			Object line = ex.properties().get("line");
			return fail(tenantId, id, fileId, endpoint, window, metadata, new BatchError(ex.kind().slug(),
					ex.getMessage(), null, (line instanceof Number number) ? number.longValue() : null));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private BatchObject fail(UUID tenantId, String id, String fileId, BatchEndpoint endpoint, String window,
			JsonNode metadata, BatchError error) {
		Errors errors = new Errors(List.of(error));
		this.transactions.executeWithoutResult(
				(status) -> insert(tenantId, id, null, fileId, endpoint, window, metadata, errors, null));
		log.info("Batch(id={}) of tenant {} failed its validation: {}", id, tenantId, error.message());
		return BatchObject.of(find(tenantId, id), null);
	}

	private void insert(UUID tenantId, String id, UUID jobId, String fileId, BatchEndpoint endpoint, String window,
			JsonNode metadata, Errors errors, ModelSignature signature) {
		Instant now = this.clock.instant();
		String output = null;
		String error = null;
		if (jobId != null) {
			output = this.files.createResultFile(tenantId, jobId, BatchFiles.OUTPUT, id + "_output.jsonl");
			error = this.files.createResultFile(tenantId, jobId, BatchFiles.ERRORS, id + "_error.jsonl");
		}
		this.jdbc.update("""
				insert into openai_batches (id, tenant_id, job_id, input_file_id, endpoint, completion_window,
				                            metadata, errors, output_file_id, error_file_id, created_at, failed_at,
				                            signature)
				values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
				""", id, tenantId, jobId, fileId, endpoint.path(), window, json(metadata), json(errors), output, error,
				Timestamp.from(now), (errors != null) ? Timestamp.from(now) : null, json(signature));
	}

	/** A tenant's batch, or 404. */
	BatchObject get(UUID tenantId, String id) {
		StoredBatch batch = find(tenantId, id);
		return BatchObject.of(batch, job(batch));
	}

	/**
	 * A page of a tenant's batches, newest first.
	 * @param after the last batch of the previous page, or null
	 * @param limit 1 to 100
	 * @return the page, and whether more follow
	 */
	Page list(UUID tenantId, String after, int limit) {
		if (limit < 1 || limit > 100) {
			throw ApiException.badRequest("'limit' must be between 1 and 100");
		}
		if (after != null) {
			find(tenantId, after);
		}
		List<StoredBatch> found = this.jdbc.query(
				"select " + COLUMNS
						+ """
								 from openai_batches b
								where b.tenant_id = ?
								  and (?::text is null or (b.created_at, b.id) < (select created_at, id from openai_batches where id = ?))
								order by b.created_at desc, b.id desc
								limit ?
								""",
				this::row, tenantId, after, after, limit + 1);
		boolean more = found.size() > limit;
		List<BatchObject> data = found.subList(0, Math.min(limit, found.size()))
			.stream()
			.map((batch) -> BatchObject.of(batch, job(batch)))
			.toList();
		return new Page(data, more);
	}

	record Page(List<BatchObject> data, boolean hasMore) {
	}

	/**
	 * Cancels a batch's job.
	 * @throws ApiException 404 for an unknown batch, 409 for one that ended
	 */
	BatchObject cancel(UUID tenantId, String id) {
		StoredBatch batch = find(tenantId, id);
		if (batch.jobId() == null) {
			throw new ApiException(ProblemKind.JOB_FINISHED, "Batch '" + id + "' has ended: it cannot be cancelled");
		}
		return BatchObject.of(batch, this.jobs.cancel(tenantId, batch.jobId()));
	}

	/**
	 * The batch whose output or error file this is, to write it from.
	 * @throws ApiException 410 once the job's results are gone
	 */
	BatchOutputs.Source source(BatchFiles.StoredFile file) {
		StoredBatch batch = this.jdbc
			.query("select " + COLUMNS + " from openai_batches b where b.output_file_id = ? or b.error_file_id = ?",
					this::row, file.id(), file.id())
			.stream()
			.findFirst()
			.orElseThrow(() -> ApiException.notFound("File '" + file.id() + "'"));
		JobView job = job(batch);
		if (job == null || job.purgedAt() != null) {
			throw new ApiException(ProblemKind.GONE, "The results of batch '" + batch.id() + "' are no longer kept");
		}
		return new BatchOutputs.Source(batch.id(), batch.tenantId(), batch.jobId(), batch.endpoint(), job.version(),
				batch.signature(), job.state().isTerminal());
	}

	private static final String COLUMNS = "b.id, b.tenant_id, b.job_id, b.input_file_id, b.endpoint, "
			+ "b.completion_window, b.metadata, b.errors, b.output_file_id, b.error_file_id, b.created_at, "
			+ "b.failed_at, b.signature";

	private StoredBatch find(UUID tenantId, String id) {
		if (!BatchFiles.isId(id, "batch_")) {
			throw ApiException.notFound("Batch '" + id + "'");
		}
		return this.jdbc
			.query("select " + COLUMNS + " from openai_batches b where b.id = ? and b.tenant_id = ?", this::row, id,
					tenantId)
			.stream()
			.findFirst()
			.orElseThrow(() -> ApiException.notFound("Batch '" + id + "'"));
	}

	private StoredBatch row(ResultSet rs, int n) throws SQLException {
		String errors = rs.getString(8);
		String signature = rs.getString(13);
		String metadata = rs.getString(7);
		return new StoredBatch(rs.getString(1), rs.getObject(2, UUID.class), rs.getObject(3, UUID.class),
				rs.getString(4), BatchEndpoint.of(rs.getString(5)), rs.getString(6),
				(metadata != null) ? EventCodec.tree(metadata.getBytes(java.nio.charset.StandardCharsets.UTF_8)) : null,
				(errors != null) ? EventCodec.mapper().readValue(errors, Errors.class) : null, rs.getString(9),
				rs.getString(10), rs.getTimestamp(11).toInstant(),
				Optional.ofNullable(rs.getTimestamp(12)).map(Timestamp::toInstant).orElse(null),
				(signature != null) ? EventCodec.mapper().readValue(signature, ModelSignature.class) : null);
	}

	private JobView job(StoredBatch batch) {
		if (batch.jobId() == null) {
			return null;
		}
		try {
			return this.jobs.get(batch.tenantId(), batch.jobId());
		}
		catch (ApiException ex) {
			if (ex.kind() == ProblemKind.NOT_FOUND) {
				return null;
			}
			throw ex;
		}
	}

	/**
	 * OpenAI's metadata: at most 16 pairs of strings, keys up to 64 and values up to 512
	 * characters.
	 */
	private static JsonNode metadata(JsonNode metadata) {
		if (metadata == null || metadata.isNull()) {
			return null;
		}
		if (!metadata.isObject() || metadata.size() > MAX_METADATA_PAIRS) {
			throw ApiException.badRequest("'metadata' must be an object of at most 16 pairs");
		}
		for (Map.Entry<String, JsonNode> pair : metadata.properties()) {
			if (pair.getKey().length() > 64 || !pair.getValue().isString()
					|| pair.getValue().asString().length() > 512) {
				throw ApiException.badRequest(
						"'metadata' keys are strings of at most 64 characters and values strings " + "of at most 512");
			}
		}
		return metadata;
	}

	private static String json(Object value) {
		return (value != null) ? EventCodec.mapper().writeValueAsString(value) : null;
	}

}
