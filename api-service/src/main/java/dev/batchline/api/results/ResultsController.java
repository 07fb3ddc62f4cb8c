package dev.batchline.api.results;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.batchline.api.job.Job;
import dev.batchline.api.job.JobManagement;
import dev.batchline.api.system.ApiException;
import dev.batchline.api.system.ApiKeyAuthentication;
import dev.batchline.api.system.ApiProperties;
import tools.jackson.databind.JsonNode;

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
 * the failed items only.
 */
@RestController
class ResultsController {

	static final String NDJSON = "application/x-ndjson";

	private static final int MAX_PAGE_SIZE = 10_000;

	private final JobManagement jobs;

	private final ResultStore results;

	private final ApiProperties properties;

	ResultsController(JobManagement jobs, ResultStore results, ApiProperties properties) {
		this.jobs = jobs;
		this.results = results;
		this.properties = properties;
	}

	@GetMapping(path = "/v1/jobs/{id}/results", produces = MediaType.APPLICATION_JSON_VALUE)
	Map<String, Object> page(@RequestAttribute(ApiKeyAuthentication.TENANT) UUID tenantId, @PathVariable UUID id,
			@RequestParam(required = false) String cursor, @RequestParam(required = false) Integer limit) {
		Job job = this.jobs.get(tenantId, id);
		int size = pageSize(limit);
		long from = (cursor != null) ? decode(cursor) : 0;
		List<JsonNode> items = this.results.page(id, from, size);
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("job_id", id);
		body.put("state", job.getState());
		body.put("data", items);
		long next = items.isEmpty() ? -1 : items.get(items.size() - 1).get("index").asLong() + 1;
		boolean more = items.size() == size && next < job.getTotalItems();
		body.put("next_cursor", more ? encode(next) : null);
		return body;
	}

	/**
	 * {@code GET /v1/jobs/{id}/errors}: pages of the failed items only ({@code index},
	 * {@code error.code}, {@code error.message}) in input order.
	 */
	@GetMapping(path = "/v1/jobs/{id}/errors", produces = MediaType.APPLICATION_JSON_VALUE)
	Map<String, Object> errors(@RequestAttribute(ApiKeyAuthentication.TENANT) UUID tenantId, @PathVariable UUID id,
			@RequestParam(required = false) String cursor, @RequestParam(required = false) Integer limit) {
		Job job = this.jobs.get(tenantId, id);
		int size = pageSize(limit);
		List<JsonNode> items = this.results.errorsPage(id, (cursor != null) ? decode(cursor) : 0, size);
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("job_id", id);
		body.put("state", job.getState());
		body.put("failed", job.getFailedItems());
		body.put("data", items);
		boolean more = items.size() == size;
		body.put("next_cursor", more ? encode(items.get(items.size() - 1).get("index").asLong() + 1) : null);
		return body;
	}

	private int pageSize(Integer limit) {
		int size = (limit != null) ? limit : this.properties.resultsPageSize();
		if (size < 1 || size > MAX_PAGE_SIZE) {
			throw ApiException.badRequest("'limit' must be between 1 and " + MAX_PAGE_SIZE);
		}
		return size;
	}

	@GetMapping(path = "/v1/jobs/{id}/results", produces = NDJSON)
	ResponseEntity<StreamingResponseBody> stream(@RequestAttribute(ApiKeyAuthentication.TENANT) UUID tenantId,
			@PathVariable UUID id) {
		this.jobs.get(tenantId, id);
		StreamingResponseBody body = (out) -> this.results.writeNdjson(id, out);
		return ResponseEntity.ok().contentType(MediaType.parseMediaType(NDJSON)).body(body);
	}

	private static String encode(long index) {
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
