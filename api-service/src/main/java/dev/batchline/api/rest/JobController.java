package dev.batchline.api.rest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

import dev.batchline.api.http.ApiKeyAuthentication;
import dev.batchline.api.http.IdempotencyKeys;
import dev.batchline.api.intake.Items;
import dev.batchline.api.intake.JobRequest;
import dev.batchline.api.intake.NdjsonItems;
import dev.batchline.api.job.JobManagement;
import dev.batchline.api.job.JobPage;
import dev.batchline.api.job.JobState;
import dev.batchline.api.job.JobView;
import dev.batchline.api.system.ApiException;
import dev.batchline.api.system.ApiProperties;
import dev.batchline.api.webhook.WebhookUrls;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Jobs over REST: {@code POST /v1/jobs} (a JSON body, or an NDJSON body read as a stream
 * with the other fields as query parameters; both with an optional
 * {@code Idempotency-Key}), {@code GET /v1/jobs/{id}}, {@code GET /v1/jobs}, {@code POST
 * /v1/jobs/{id}/cancel}. Translates HTTP to {@link JobManagement} and back.
 */
@RestController
class JobController {

	static final String NDJSON = "application/x-ndjson";

	private static final int MAX_PAGE_SIZE = 100;

	private final JobManagement jobs;

	private final ApiProperties properties;

	private final WebhookUrls webhookUrls;

	private final IdempotencyKeys idempotencyKeys;

	JobController(JobManagement jobs, ApiProperties properties, WebhookUrls webhookUrls,
			IdempotencyKeys idempotencyKeys) {
		this.jobs = jobs;
		this.properties = properties;
		this.webhookUrls = webhookUrls;
		this.idempotencyKeys = idempotencyKeys;
	}

	@PostMapping(path = "/v1/jobs", consumes = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<?> submit(@RequestAttribute(ApiKeyAuthentication.TENANT) UUID tenantId,
			@RequestHeader(name = IdempotencyKeys.HEADER, required = false) String idempotencyKey,
			HttpServletRequest request) throws IOException {
		if (request.getContentLengthLong() > this.properties.maxBodyBytes()) {
			throw JobRequest.tooLarge(this.properties.maxBodyBytes());
		}
		DigestInputStream body = new DigestInputStream(request.getInputStream(), IdempotencyKeys.sha256());
		JobRequest submission = JobRequest.read(body, this.properties.maxBodyBytes());
		checkCallback("callback.url", submission);
		byte[] digest = body.getMessageDigest().digest();
		return accepted(tenantId, idempotencyKey, () -> digest, () -> this.jobs.submit(tenantId, submission));
	}

	/**
	 * A large job as a stream: one item per line, parsed, checked and stored while it
	 * arrives, so its size is bounded by {@code batchline.api.max-stream-bytes}, not by
	 * memory.
	 */
	@PostMapping(path = "/v1/jobs", consumes = NDJSON)
	ResponseEntity<?> submitStream(@RequestAttribute(ApiKeyAuthentication.TENANT) UUID tenantId,
			@RequestHeader(name = IdempotencyKeys.HEADER, required = false) String idempotencyKey,
			HttpServletRequest request) throws IOException {
		JobRequest submission = JobRequest.fromQuery(request.getParameterMap());
		long maxBytes = this.properties.maxStreamBytes();
		if (request.getContentLengthLong() > maxBytes) {
			throw ApiException.bodyTooLarge(maxBytes, "batchline.api.max-stream-bytes");
		}
		checkCallback("callback_url", submission);
		// the body's digest (with the query) tells a retry from a reuse of an
		// Idempotency-Key; it is complete once the stream has been read
		DigestInputStream body = new DigestInputStream(request.getInputStream(), IdempotencyKeys.sha256());
		body.getMessageDigest().update(String.valueOf(request.getQueryString()).getBytes(StandardCharsets.UTF_8));
		Items items = new NdjsonItems(body, maxBytes, "batchline.api.max-stream-bytes", this.properties.maxBodyBytes());
		return accepted(tenantId, idempotencyKey, () -> drained(body, maxBytes),
				() -> this.jobs.submit(tenantId, submission, items));
	}

	/**
	 * {@code POST /v1/jobs/{id}/cancel}: the job becomes {@code CANCELLING}, then
	 * {@code CANCELLED} once the workers have skipped or finished its chunks; a finished
	 * job answers 409.
	 */
	@PostMapping("/v1/jobs/{id}/cancel")
	ResponseEntity<JobView> cancel(@RequestAttribute(ApiKeyAuthentication.TENANT) UUID tenantId,
			@PathVariable UUID id) {
		return ResponseEntity.accepted().body(this.jobs.cancel(tenantId, id));
	}

	@GetMapping("/v1/jobs/{id}")
	JobView get(@RequestAttribute(ApiKeyAuthentication.TENANT) UUID tenantId, @PathVariable UUID id) {
		return this.jobs.get(tenantId, id);
	}

	@GetMapping("/v1/jobs")
	Map<String, Object> list(@RequestAttribute(ApiKeyAuthentication.TENANT) UUID tenantId,
			@RequestParam(required = false) String state, @RequestParam(required = false) String cursor,
			@RequestParam(defaultValue = "20") int limit) {
		if (limit < 1 || limit > MAX_PAGE_SIZE) {
			throw ApiException.badRequest("'limit' must be between 1 and " + MAX_PAGE_SIZE);
		}
		JobPage page = this.jobs.list(tenantId, state(state), cursor, limit);
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("data", page.jobs());
		body.put("next_cursor", page.nextCursor());
		return body;
	}

	private static JobState state(String state) {
		if (state == null) {
			return null;
		}
		try {
			return JobState.valueOf(state.toUpperCase(Locale.ROOT));
		}
		catch (IllegalArgumentException ex) {
			throw ApiException.badRequest("'state' must be one of " + List.of(JobState.values()));
		}
	}

	/**
	 * Checks the callback URL before the submission's transaction: it may resolve the
	 * host.
	 */
	private void checkCallback(String field, JobRequest submission) {
		if (submission.callbackUrl() != null) {
			this.webhookUrls.check(field, submission.callbackUrl());
		}
	}

	/** The 202 answer of a submission, run once per {@code Idempotency-Key}. */
	private ResponseEntity<?> accepted(UUID tenantId, String idempotencyKey, Supplier<byte[]> body,
			Supplier<JobView> submit) {
		return this.idempotencyKeys.run(tenantId.toString(), idempotencyKey, "POST /v1/jobs", body, () -> {
			JobView job = submit.get();
			return ResponseEntity.accepted().location(URI.create("/v1/jobs/" + job.id())).body(job);
		});
	}

	/**
	 * Reads what is left of the body (a retry's, to compare it) and returns its digest.
	 */
	private static byte[] drained(DigestInputStream body, long maxBytes) {
		try {
			byte[] buffer = new byte[64 * 1024];
			long read = 0;
			for (int n = body.read(buffer); n >= 0; n = body.read(buffer)) {
				read += n;
				if (read > maxBytes) {
					throw ApiException.bodyTooLarge(maxBytes, "batchline.api.max-stream-bytes");
				}
			}
			return body.getMessageDigest().digest();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
