package dev.batchline.api.job;

import java.io.IOException;
import java.net.URI;
import java.security.DigestInputStream;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

import dev.batchline.api.system.ApiException;
import dev.batchline.api.system.ApiKeyAuthentication;
import dev.batchline.api.system.ApiProperties;
import dev.batchline.api.system.IdempotencyKeys;
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
 * Submitting jobs (with an optional {@code Idempotency-Key}), reading their status and
 * cancelling them: {@code POST /v1/jobs}, {@code GET /v1/jobs/{id}},
 * {@code GET /v1/jobs}, {@code POST /v1/jobs/{id}/cancel}.
 */
@RestController
class JobController {

	private static final int MAX_PAGE_SIZE = 100;

	private final JobManagement jobs;

	private final JobPages pages;

	private final ApiProperties properties;

	private final WebhookUrls webhookUrls;

	private final JobLifecycle lifecycle;

	private final IdempotencyKeys idempotencyKeys;

	private final JobStatusReads statusReads;

	JobController(JobManagement jobs, JobPages pages, ApiProperties properties, WebhookUrls webhookUrls,
			JobLifecycle lifecycle, IdempotencyKeys idempotencyKeys, JobStatusReads statusReads) {
		this.statusReads = statusReads;
		this.lifecycle = lifecycle;
		this.idempotencyKeys = idempotencyKeys;
		this.jobs = jobs;
		this.pages = pages;
		this.properties = properties;
		this.webhookUrls = webhookUrls;
	}

	@PostMapping(path = "/v1/jobs", consumes = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<?> submit(@RequestAttribute(ApiKeyAuthentication.TENANT) UUID tenantId,
			@RequestHeader(name = IdempotencyKeys.HEADER, required = false) String idempotencyKey,
			HttpServletRequest request) throws IOException {
		long length = request.getContentLengthLong();
		if (length > this.properties.maxBodyBytes()) {
			throw JobRequest.tooLarge(this.properties.maxBodyBytes());
		}
		DigestInputStream body = new DigestInputStream(request.getInputStream(), IdempotencyKeys.sha256());
		JobRequest submission = JobRequest.read(body, this.properties.maxBodyBytes());
		if (submission.callbackUrl() != null) {
			// before the submission's transaction: the check may resolve the host
			this.webhookUrls.check("callback.url", submission.callbackUrl());
		}
		byte[] digest = body.getMessageDigest().digest();
		return accepted(tenantId, idempotencyKey, () -> digest, () -> this.jobs.submit(tenantId, submission));
	}

	/**
	 * The 202 answer of a submission, run once per {@code Idempotency-Key} (both intake
	 * paths: JSON and NDJSON).
	 */
	ResponseEntity<?> accepted(UUID tenantId, String idempotencyKey, Supplier<byte[]> body, Supplier<Job> submit) {
		return this.idempotencyKeys.run(tenantId.toString(), idempotencyKey, "POST /v1/jobs", body, () -> {
			Job job = submit.get();
			return ResponseEntity.accepted()
				.location(URI.create("/v1/jobs/" + job.getId()))
				.body(JobView.of(job, this.jobs.history(job.getId())));
		});
	}

	/**
	 * {@code POST /v1/jobs/{id}/cancel}: the job becomes {@code CANCELLING}, then
	 * {@code CANCELLED} once the workers have skipped or finished its chunks; a finished
	 * job answers 409.
	 */
	@PostMapping("/v1/jobs/{id}/cancel")
	ResponseEntity<JobView> cancel(@RequestAttribute(ApiKeyAuthentication.TENANT) UUID tenantId,
			@PathVariable UUID id) {
		Job job = this.lifecycle.cancel(tenantId, id);
		return ResponseEntity.accepted().body(JobView.of(job, this.jobs.history(id)));
	}

	@GetMapping("/v1/jobs/{id}")
	JobView get(@RequestAttribute(ApiKeyAuthentication.TENANT) UUID tenantId, @PathVariable UUID id) {
		return this.statusReads.view(tenantId, id);
	}

	@GetMapping("/v1/jobs")
	Map<String, Object> list(@RequestAttribute(ApiKeyAuthentication.TENANT) UUID tenantId,
			@RequestParam(required = false) String state, @RequestParam(required = false) String cursor,
			@RequestParam(defaultValue = "20") int limit) {
		if (limit < 1 || limit > MAX_PAGE_SIZE) {
			throw ApiException.badRequest("'limit' must be between 1 and " + MAX_PAGE_SIZE);
		}
		JobState filter = null;
		if (state != null) {
			try {
				filter = JobState.valueOf(state.toUpperCase(java.util.Locale.ROOT));
			}
			catch (IllegalArgumentException ex) {
				throw ApiException.badRequest("'state' must be one of " + List.of(JobState.values()));
			}
		}
		JobPages.Page page = this.pages.page(tenantId, filter, cursor, limit);
		Map<String, Object> body = new java.util.LinkedHashMap<>();
		body.put("data", page.jobs().stream().map((job) -> JobView.of(job, null)).toList());
		body.put("next_cursor", page.nextCursor());
		return body;
	}

}
