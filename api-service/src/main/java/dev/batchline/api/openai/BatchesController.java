package dev.batchline.api.openai;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import dev.batchline.api.http.ApiKeyAuthentication;
import dev.batchline.api.http.ErrorBodies;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * OpenAI's Batch API over the job core: make a batch of an uploaded file's requests, read
 * it, list them, cancel it ({@link Batches}).
 */
@RestController
class BatchesController {

	private final Batches batches;

	BatchesController(Batches batches) {
		this.batches = batches;
	}

	@PostMapping(path = "/v1/batches", produces = MediaType.APPLICATION_JSON_VALUE)
	BatchObject create(@RequestAttribute(ApiKeyAuthentication.TENANT) UUID tenantId, HttpServletRequest body) {
		return this.batches.create(tenantId, ErrorBodies.object(body));
	}

	@GetMapping(path = "/v1/batches/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
	BatchObject get(@RequestAttribute(ApiKeyAuthentication.TENANT) UUID tenantId, @PathVariable String id) {
		return this.batches.get(tenantId, id);
	}

	@PostMapping(path = "/v1/batches/{id}/cancel", produces = MediaType.APPLICATION_JSON_VALUE)
	BatchObject cancel(@RequestAttribute(ApiKeyAuthentication.TENANT) UUID tenantId, @PathVariable String id) {
		return this.batches.cancel(tenantId, id);
	}

	@GetMapping(path = "/v1/batches", produces = MediaType.APPLICATION_JSON_VALUE)
	Map<String, Object> list(@RequestAttribute(ApiKeyAuthentication.TENANT) UUID tenantId,
			@RequestParam(required = false) String after, @RequestParam(defaultValue = "20") int limit) {
		Batches.Page page = this.batches.list(tenantId, after, limit);
		Map<String, Object> list = new LinkedHashMap<>();
		list.put("object", "list");
		list.put("data", page.data());
		list.put("first_id", page.data().isEmpty() ? null : page.data().get(0).id());
		list.put("last_id", page.data().isEmpty() ? null : page.data().get(page.data().size() - 1).id());
		list.put("has_more", page.hasMore());
		return list;
	}

}
