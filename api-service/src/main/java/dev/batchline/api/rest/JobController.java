package dev.batchline.api.rest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import dev.batchline.api.http.ApiKeyAuthentication;
import dev.batchline.api.http.IdempotencyKeys;
import dev.batchline.api.intake.BodySpool;
import dev.batchline.api.intake.BodySpools;
import dev.batchline.api.intake.Items;
import dev.batchline.api.intake.JsonJobBody;
import dev.batchline.api.intake.JobRequest;
import dev.batchline.api.intake.NdjsonItems;
import dev.batchline.api.intake.UploadProperties;
import dev.batchline.api.job.JobManagement;
import dev.batchline.api.job.JobPage;
import dev.batchline.api.job.JobState;
import dev.batchline.api.job.JobView;
import dev.batchline.api.quota.RateLimitStatus;
import dev.batchline.api.system.ApiException;
import dev.batchline.api.system.ApiProperties;
import dev.batchline.api.system.PublicUrls;
import dev.batchline.api.webhook.WebhookUrls;
import jakarta.servlet.http.HttpServletRequest;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.ETag;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
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
 * {@code Idempotency-Key}), {@code GET /v1/jobs/{id}} (with an {@code ETag}),
 * {@code GET /v1/jobs}, {@code POST /v1/jobs/{id}/cancel}. Translates HTTP to
 * {@link JobManagement} and back.
 */
@RestController
class JobController {

	static final String NDJSON = "application/x-ndjson";

	private static final int MAX_PAGE_SIZE = 100;

	private final JobManagement jobs;

	private final ApiProperties properties;

	private final WebhookUrls webhookUrls;

	private final IdempotencyKeys idempotencyKeys;

	private final BodySpools spools;

	private final UploadProperties upload;

	private final JsonMapper json;

	JobController(JobManagement jobs, ApiProperties properties, WebhookUrls webhookUrls,
			IdempotencyKeys idempotencyKeys, BodySpools spools, UploadProperties upload, JsonMapper json) {
		this.json = json;
		this.spools = spools;
		this.upload = upload;
		this.jobs = jobs;
		this.properties = properties;
		this.webhookUrls = webhookUrls;
		this.idempotencyKeys = idempotencyKeys;
	}

	/**
	 * A job as one JSON object. The body is received whole (into a spool) before any
	 * database work, then read as a stream: its items are counted and measured before any
	 * is parsed, and stored one at a time.
	 */
	@PostMapping(path = "/v1/jobs", consumes = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<?> submit(@RequestAttribute(ApiKeyAuthentication.TENANT) UUID tenantId,
			@RequestHeader(name = IdempotencyKeys.HEADER, required = false) String idempotencyKey,
			HttpServletRequest request) throws IOException {
		try (BodySpool spool = receive(request, this.properties.maxBodyBytes(), "batchline.api.max-body-bytes",
				false)) {
			JsonJobBody body = JsonJobBody.scan(spool, this.properties.maxItems(), "batchline.api.max-items",
					this.upload.maxItemBytes(), this.properties.maxMetadataBytes());
			checkCallback("callback.url", body.request());
			return accepted(tenantId, idempotencyKey, spool.digest(), body.request(), body.items());
		}
	}

	/**
	 * A large job as a stream: one item per line. Received whole (into a spool) before
	 * any database work, then parsed, checked and stored a line at a time, so its size is
	 * bounded by {@code batchline.api.max-stream-bytes}, not by memory.
	 */
	@PostMapping(path = "/v1/jobs", consumes = NDJSON)
	ResponseEntity<?> submitStream(@RequestAttribute(ApiKeyAuthentication.TENANT) UUID tenantId,
			@RequestHeader(name = IdempotencyKeys.HEADER, required = false) String idempotencyKey,
			HttpServletRequest request) throws IOException {
		JobRequest submission = JobRequest.fromQuery(request.getParameterMap());
		checkCallback("callback_url", submission);
		long maxBytes = this.properties.maxStreamBytes();
		try (BodySpool spool = receive(request, maxBytes, "batchline.api.max-stream-bytes", true)) {
			// the query is part of the request: with the body, it tells a retry from a
			// reuse of an Idempotency-Key
			MessageDigest digest = IdempotencyKeys.sha256();
			digest.update(String.valueOf(request.getQueryString()).getBytes(StandardCharsets.UTF_8));
			Items items = new NdjsonItems(spool.open(), maxBytes, "batchline.api.max-stream-bytes",
					this.upload.maxItemBytes(), spool.nonBlankLines());
			return accepted(tenantId, idempotencyKey, digest.digest(spool.digest()), submission, items);
		}
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

	/**
	 * The job with a strong {@code ETag}, a hash of its JSON: a poll with
	 * {@code If-None-Match} naming it (weak comparison) or {@code *} answers 304 without
	 * a body while the job has not changed (RFC 9110 §13.1.2). Another tenant's job is
	 * 404 whatever the condition.
	 */
	@GetMapping("/v1/jobs/{id}")
	ResponseEntity<JobView> get(@RequestAttribute(ApiKeyAuthentication.TENANT) UUID tenantId, @PathVariable UUID id,
			@RequestHeader(name = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch) {
		JobView job = this.jobs.get(tenantId, id);
		ETag etag = etag(job);
		if (ifNoneMatch != null
				&& ETag.parse(ifNoneMatch).stream().anyMatch((tag) -> tag.isWildcard() || tag.compare(etag, false))) {
			return ResponseEntity.status(HttpStatus.NOT_MODIFIED).eTag(etag.formattedTag()).build();
		}
		return ResponseEntity.ok().eTag(etag.formattedTag()).body(job);
	}

	/** 128 bits of the SHA-256 of the job's JSON, as the body shows it. */
	private ETag etag(JobView job) {
		byte[] hash = IdempotencyKeys.sha256().digest(this.json.writeValueAsBytes(job));
		return new ETag(Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(hash, 16)), false);
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

	private BodySpool receive(HttpServletRequest request, long maxBytes, String maxBytesProperty, boolean lines)
			throws IOException {
		if (request.getContentLengthLong() > maxBytes) {
			throw ApiException.bodyTooLarge(maxBytes, maxBytesProperty);
		}
		return this.spools.read(request.getInputStream(), maxBytes, maxBytesProperty, lines);
	}

	/**
	 * The 202 answer of a submission, run once per {@code Idempotency-Key}, once the
	 * tenant's limits have admitted the job (a retry of an answered request is replayed
	 * without spending them again).
	 */
	private ResponseEntity<?> accepted(UUID tenantId, String idempotencyKey, byte[] digest, JobRequest submission,
			Items items) {
		Optional<ResponseEntity<?>> answered = this.idempotencyKeys.answered(tenantId.toString(), idempotencyKey,
				"POST /v1/jobs", digest);
		if (answered.isPresent()) {
			return answered.get();
		}
		List<RateLimitStatus> limits = this.jobs.admit(tenantId, items.size());
		ResponseEntity<?> answer = this.idempotencyKeys.run(tenantId.toString(), idempotencyKey, "POST /v1/jobs",
				() -> digest, () -> {
					JobView job = this.jobs.submit(tenantId, submission, items);
					return ResponseEntity.accepted().location(PublicUrls.uri("/v1/jobs/" + job.id())).body(job);
				});
		if (limits.isEmpty()) {
			return answer;
		}
		HttpHeaders headers = new HttpHeaders();
		headers.putAll(answer.getHeaders());
		limits.forEach((limit) -> limit.headers().forEach(headers::add));
		return new ResponseEntity<>(answer.getBody(), headers, answer.getStatusCode());
	}

}
