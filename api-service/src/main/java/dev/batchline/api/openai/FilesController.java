package dev.batchline.api.openai;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.UUID;

import dev.batchline.api.http.ApiKeyAuthentication;
import dev.batchline.api.job.JobManagement;
import dev.batchline.api.system.ApiException;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

/**
 * OpenAI's Files API for batches: upload a JSONL input ({@code purpose=batch}), read a
 * file's description and content (a batch's output and error files too), delete it.
 */
@RestController
class FilesController {

	private static final int MAX_FILENAME = 255;

	private final BatchFiles files;

	private final Batches batches;

	private final BatchOutputs outputs;

	private final JobManagement jobs;

	FilesController(BatchFiles files, Batches batches, BatchOutputs outputs, JobManagement jobs) {
		this.jobs = jobs;
		this.files = files;
		this.batches = batches;
		this.outputs = outputs;
	}

	@PostMapping(path = "/v1/files", consumes = MediaType.MULTIPART_FORM_DATA_VALUE,
			produces = MediaType.APPLICATION_JSON_VALUE)
	FileObject upload(@RequestAttribute(ApiKeyAuthentication.TENANT) UUID tenantId,
			@RequestPart("file") MultipartFile file, @RequestParam("purpose") String purpose) throws IOException {
		if (!BatchFiles.INPUT.equals(purpose)) {
			throw ApiException.badRequest("'purpose' must be 'batch': the files Batchline takes are batch inputs");
		}
		String filename = (file.getOriginalFilename() != null) ? file.getOriginalFilename() : "upload.jsonl";
		if (filename.length() > MAX_FILENAME || filename.chars().anyMatch(Character::isISOControl)) {
			throw ApiException.badRequest("the file's name must be at most 255 characters, without control characters");
		}
		this.jobs.admitUpload(tenantId);
		try (InputStream content = file.getInputStream()) {
			return describe(this.files.upload(tenantId, filename, content));
		}
	}

	@GetMapping(path = "/v1/files/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
	FileObject get(@RequestAttribute(ApiKeyAuthentication.TENANT) UUID tenantId, @PathVariable String id)
			throws IOException {
		return describe(this.files.find(tenantId, id));
	}

	@GetMapping(path = "/v1/files/{id}/content")
	ResponseEntity<StreamingResponseBody> content(@RequestAttribute(ApiKeyAuthentication.TENANT) UUID tenantId,
			@PathVariable String id) {
		BatchFiles.StoredFile file = this.files.find(tenantId, id);
		StreamingResponseBody body;
		if (file.uploaded()) {
			body = (out) -> this.files.write(file, out);
		}
		else {
			BatchOutputs.Source batch = this.batches.source(file);
			boolean errors = BatchFiles.ERRORS.equals(file.purpose());
			body = (out) -> this.outputs.write(batch, errors, out);
		}
		return ResponseEntity.ok()
			.contentType(MediaType.parseMediaType("application/jsonl"))
			.header("Content-Disposition", "attachment; filename=\"" + file.filename().replace("\"", "") + "\"")
			.body(body);
	}

	@DeleteMapping(path = "/v1/files/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
	Map<String, Object> delete(@RequestAttribute(ApiKeyAuthentication.TENANT) UUID tenantId, @PathVariable String id) {
		this.files.delete(tenantId, id);
		return Map.of("id", id, "object", "file", "deleted", true);
	}

	/**
	 * A file's description; an output or error file is measured until its job has ended,
	 * then kept.
	 */
	private FileObject describe(BatchFiles.StoredFile file) throws IOException {
		Long bytes = file.bytes();
		if (bytes == null) {
			BatchOutputs.Source batch = this.batches.source(file);
			bytes = this.outputs.size(batch, BatchFiles.ERRORS.equals(file.purpose()));
			if (batch.ended()) {
				// a running job's files still grow: their size is counted again
				this.files.sized(file.id(), bytes);
			}
		}
		return new FileObject(file.id(), bytes, file.createdAt().getEpochSecond(),
				(file.expiresAt() != null) ? file.expiresAt().getEpochSecond() : null, file.filename(), file.purpose());
	}

}
