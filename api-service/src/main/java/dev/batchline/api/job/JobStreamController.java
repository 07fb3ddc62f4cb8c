package dev.batchline.api.job;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.batchline.api.system.ApiException;
import dev.batchline.api.system.ApiKeyAuthentication;
import dev.batchline.api.system.ApiProperties;
import dev.batchline.api.system.IdempotencyKeys;
import dev.batchline.api.webhook.WebhookUrls;
import dev.batchline.contracts.EventCodec;
import jakarta.servlet.http.HttpServletRequest;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * Submitting a large job as a stream: {@code POST /v1/jobs} with an NDJSON body
 * ({@code application/x-ndjson}, one item per line) and the other fields of a submission
 * as query parameters. The body is parsed, checked and stored while it arrives, so its
 * size is bounded by {@code batchline.api.max-stream-bytes}, not by memory.
 */
@RestController
class JobStreamController {

	static final String NDJSON = "application/x-ndjson";

	private static final List<String> PARAMETERS = List.of("model", "version", "metadata", "callback_url",
			"completion_window");

	private final JobManagement jobs;

	private final ApiProperties properties;

	private final WebhookUrls webhookUrls;

	private final JobController submissions;

	JobStreamController(JobManagement jobs, ApiProperties properties, WebhookUrls webhookUrls,
			JobController submissions) {
		this.submissions = submissions;
		this.jobs = jobs;
		this.properties = properties;
		this.webhookUrls = webhookUrls;
	}

	@PostMapping(path = "/v1/jobs", consumes = NDJSON)
	ResponseEntity<?> submit(@RequestAttribute(ApiKeyAuthentication.TENANT) UUID tenantId,
			@RequestHeader(name = IdempotencyKeys.HEADER, required = false) String idempotencyKey,
			HttpServletRequest request) throws IOException {
		JobRequest submission = parameters(request.getParameterMap());
		long maxBytes = this.properties.maxStreamBytes();
		if (request.getContentLengthLong() > maxBytes) {
			throw new ApiException(HttpStatus.CONTENT_TOO_LARGE, "body-too-large", "Request body too large",
					"The request body exceeds " + maxBytes + " bytes (batchline.api.max-stream-bytes)");
		}
		if (submission.callbackUrl() != null) {
			// before the submission's transaction: the check may resolve the host
			this.webhookUrls.check("callback_url", submission.callbackUrl());
		}
		// the body's digest (with the query) tells a retry from a reuse of an
		// Idempotency-Key; it is complete once the stream has been read
		DigestInputStream body = new DigestInputStream(request.getInputStream(), IdempotencyKeys.sha256());
		body.getMessageDigest().update(String.valueOf(request.getQueryString()).getBytes(StandardCharsets.UTF_8));
		Items items = new NdjsonItems(body, maxBytes, "batchline.api.max-stream-bytes", this.properties.maxBodyBytes());
		return this.submissions.accepted(tenantId, idempotencyKey, () -> drained(body, maxBytes),
				() -> this.jobs.submit(tenantId, submission, items));
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
					throw new ApiException(HttpStatus.CONTENT_TOO_LARGE, "body-too-large", "Request body too large",
							"The request body exceeds " + maxBytes + " bytes (batchline.api.max-stream-bytes)");
				}
			}
			return body.getMessageDigest().digest();
		}
		catch (IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

	/** The fields of a JSON submission but {@code instances}, from query parameters. */
	private static JobRequest parameters(Map<String, String[]> parameters) {
		for (Map.Entry<String, String[]> parameter : parameters.entrySet()) {
			if (!PARAMETERS.contains(parameter.getKey())) {
				throw ApiException.invalid("unknown parameter '" + parameter.getKey() + "'; an NDJSON submission takes "
						+ PARAMETERS + " as query parameters");
			}
			if (parameter.getValue().length > 1) {
				throw ApiException.invalid("parameter '" + parameter.getKey() + "' is given more than once");
			}
		}
		String model = value(parameters, "model");
		if (model == null || model.isBlank()) {
			throw ApiException.invalid("'model' is required (query parameter) and must be a model name");
		}
		String version = value(parameters, "version");
		String callbackUrl = value(parameters, "callback_url");
		if (callbackUrl != null && callbackUrl.isBlank()) {
			throw ApiException.invalid("'callback_url' must be an http or https URL");
		}
		String window = value(parameters, "completion_window");
		return new JobRequest(model, (version == null || version.isBlank()) ? null : version, List.of(),
				metadata(value(parameters, "metadata")), (callbackUrl != null) ? callbackUrl.strip() : null,
				(window != null) ? JobRequest.completionWindow(JsonNodeFactory.instance.stringNode(window)) : null);
	}

	private static JsonNode metadata(String json) {
		if (json == null) {
			return null;
		}
		JsonNode metadata;
		try {
			metadata = EventCodec.mapper().readTree(json);
		}
		catch (JacksonException ex) {
			throw new ApiException(HttpStatus.BAD_REQUEST, "malformed-json", "Malformed JSON",
					"'metadata' is not valid JSON: " + ex.getOriginalMessage());
		}
		if (metadata == null || metadata.isNull() || metadata.isMissingNode()) {
			return null;
		}
		if (!metadata.isObject()) {
			throw ApiException.invalid("'metadata' must be a JSON object");
		}
		return metadata;
	}

	private static String value(Map<String, String[]> parameters, String name) {
		String[] values = parameters.get(name);
		return (values != null && values.length > 0) ? values[0] : null;
	}

}
