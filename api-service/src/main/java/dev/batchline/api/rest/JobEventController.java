package dev.batchline.api.rest;

import java.util.UUID;

import dev.batchline.api.http.ApiKeyAuthentication;
import dev.batchline.api.job.JobManagement;
import dev.batchline.api.job.JobView;

import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestAttribute;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * {@code GET /v1/jobs/{id}/events}: a job's state changes and progress as server-sent
 * events ({@link JobEventStreams}), resumed after {@code Last-Event-ID}. Everything a
 * client can get wrong (the id, another tenant's job, the limits) is answered as a
 * problem before the stream starts.
 */
@RestController
class JobEventController {

	static final String LAST_EVENT_ID = "Last-Event-ID";

	private final JobManagement jobs;

	private final JobEventStreams streams;

	JobEventController(JobManagement jobs, JobEventStreams streams) {
		this.jobs = jobs;
		this.streams = streams;
	}

	/**
	 * The stream, or 204 for a client that has seen the job's terminal event already
	 * (which tells an {@code EventSource} to stop reconnecting).
	 */
	@GetMapping(path = "/v1/jobs/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
	ResponseEntity<SseEmitter> events(@RequestAttribute(ApiKeyAuthentication.TENANT) UUID tenantId,
			@PathVariable UUID id, @RequestHeader(name = LAST_EVENT_ID, required = false) String lastEventId) {
		JobEventId after = JobEventId.parse(lastEventId);
		JobView job = this.jobs.get(tenantId, id);
		if (job.state().isTerminal() && after.sequence() >= job.history().size()) {
			return ResponseEntity.noContent().build();
		}
		return ResponseEntity.ok()
			.cacheControl(CacheControl.noStore())
			// proxies such as nginx would hold the events back otherwise
			.header("X-Accel-Buffering", "no")
			.body(this.streams.open(tenantId, id, after));
	}

}
