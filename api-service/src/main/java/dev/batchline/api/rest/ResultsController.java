package dev.batchline.api.rest;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import dev.batchline.api.http.ApiKeyAuthentication;
import dev.batchline.api.job.JobManagement;
import dev.batchline.api.job.JobManagement.ResultsPage;
import dev.batchline.api.system.ApiException;
import dev.batchline.api.system.ApiProperties;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

/**
 * {@code GET /v1/jobs/{id}/results}: pages of item results in input order as JSON, or the
 * whole result set as NDJSON, streamed chunk by chunk; {@code GET /v1/jobs/{id}/errors}:
 * the failed items only. The cursor is this door's encoding of the next item index.
 */
@RestController
class ResultsController {

	private static final int MAX_PAGE_SIZE = 10_000;

	private final JobManagement jobs;

	private final ApiProperties properties;

	ResultsController(JobManagement jobs, ApiProperties properties) {
		this.jobs = jobs;
		this.properties = properties;
	}

	@GetMapping(path = "/v1/jobs/{id}/results", produces = MediaType.APPLICATION_JSON_VALUE)
	Map<String, Object> page(@RequestAttribute(ApiKeyAuthentication.TENANT) UUID tenantId, @PathVariable UUID id,
			@RequestParam(required = false) String cursor, @RequestParam(required = false) Integer limit) {
		ResultsPage page = this.jobs.results(tenantId, id, from(cursor), pageSize(limit));
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("job_id", id);
		body.put("state", page.state());
		body.put("data", page.items());
		body.put("next_cursor", encode(page.nextIndex()));
		return body;
	}

	/**
	 * {@code GET /v1/jobs/{id}/errors}: pages of the failed items only ({@code index},
	 * {@code error.code}, {@code error.message}) in input order.
	 */
	@GetMapping(path = "/v1/jobs/{id}/errors", produces = MediaType.APPLICATION_JSON_VALUE)
	Map<String, Object> errors(@RequestAttribute(ApiKeyAuthentication.TENANT) UUID tenantId, @PathVariable UUID id,
			@RequestParam(required = false) String cursor, @RequestParam(required = false) Integer limit) {
		ResultsPage page = this.jobs.errors(tenantId, id, from(cursor), pageSize(limit));
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("job_id", id);
		body.put("state", page.state());
		body.put("failed", page.failedItems());
		body.put("data", page.items());
		body.put("next_cursor", encode(page.nextIndex()));
		return body;
	}

	@GetMapping(path = "/v1/jobs/{id}/results", produces = JobController.NDJSON)
	ResponseEntity<StreamingResponseBody> stream(@RequestAttribute(ApiKeyAuthentication.TENANT) UUID tenantId,
			@PathVariable UUID id) {
		JobManagement.ResultsStream results = this.jobs.resultsStream(tenantId, id);
		return ResponseEntity.ok().contentType(MediaType.parseMediaType(JobController.NDJSON)).body(results::writeTo);
	}

	private int pageSize(Integer limit) {
		int size = (limit != null) ? limit : this.properties.resultsPageSize();
		if (size < 1 || size > MAX_PAGE_SIZE) {
			throw ApiException.badRequest("'limit' must be between 1 and " + MAX_PAGE_SIZE);
		}
		return size;
	}

	private static long from(String cursor) {
		return (cursor != null) ? decode(cursor) : 0;
	}

	private static String encode(long index) {
		if (index < 0) {
			return null;
		}
		return Base64.getUrlEncoder().withoutPadding().encodeToString(("i" + index).getBytes(StandardCharsets.UTF_8));
	}

	private static long decode(String cursor) {
		try {
			String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
			if (!raw.startsWith("i")) {
				throw new IllegalArgumentException(raw);
			}
			long index = Long.parseLong(raw.substring(1));
			if (index < 0) {
				throw new IllegalArgumentException(raw);
			}
			return index;
		}
		catch (IllegalArgumentException ex) {
			throw ApiException.badRequest("'cursor' is not a cursor this API returned");
		}
	}

}
