package dev.batchline.api.rest;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.batchline.api.http.ApiKeyAuthentication;
import dev.batchline.api.job.JobEvent;
import dev.batchline.api.job.JobEventFeed;
import dev.batchline.api.job.JobEventId;
import dev.batchline.api.job.JobEventSink;
import dev.batchline.api.job.JobEventsProperties;
import dev.batchline.api.job.JobManagement;
import dev.batchline.api.job.JobView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

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
 * events ({@link JobEventFeed}), resumed after {@code Last-Event-ID}. Everything a client
 * can get wrong (the id, another tenant's job, the limits) is answered as a problem
 * before the stream starts. The stream is an async request, so it holds no thread while
 * it waits.
 */
@RestController
class JobEventController {

	private static final Logger log = LoggerFactory.getLogger(JobEventController.class);

	static final String LAST_EVENT_ID = "Last-Event-ID";

	private final JobManagement jobs;

	private final JobEventFeed feed;

	private final JobEventsProperties properties;

	private final JsonMapper json;

	JobEventController(JobManagement jobs, JobEventFeed feed, JobEventsProperties properties, JsonMapper json) {
		this.jobs = jobs;
		this.feed = feed;
		this.properties = properties;
		this.json = json;
	}

	/**
	 * The stream, or 204 for a client that has seen the job's terminal event already
	 * (which tells an {@code EventSource} to stop reconnecting).
	 */
	@GetMapping(path = "/v1/jobs/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
	ResponseEntity<SseEmitter> events(@RequestAttribute(ApiKeyAuthentication.TENANT) UUID tenantId,
			@PathVariable UUID id, @RequestHeader(name = LAST_EVENT_ID, required = false) String lastEventId) {
		JobEventId after = JobEventId.parse(lastEventId, LAST_EVENT_ID);
		JobView job = this.jobs.get(tenantId, id);
		if (job.state().isTerminal() && after.sequence() >= job.history().size()) {
			return ResponseEntity.noContent().build();
		}
		// no timeout: the stream ends with its job (every job ends), or when a write
		// fails
		SseEmitter emitter = new SseEmitter(0L);
		JobEventFeed.Subscription subscription = this.feed.open(tenantId, id, after, new Sink(id, emitter));
		emitter.onCompletion(subscription::cancel);
		emitter.onError((ex) -> subscription.cancel());
		emitter.onTimeout(subscription::cancel);
		return ResponseEntity.ok()
			.cacheControl(CacheControl.noStore())
			// proxies such as nginx would hold the events back otherwise
			.header("X-Accel-Buffering", "no")
			.body(emitter);
	}

	/** Writes a stream's events as SSE; the first write starts with the retry hint. */
	private final class Sink implements JobEventSink {

		private final UUID jobId;

		private final SseEmitter emitter;

		private boolean started;

		Sink(UUID jobId, SseEmitter emitter) {
			this.jobId = jobId;
			this.emitter = emitter;
		}

		@Override
		public void send(List<JobEvent> events) throws IOException {
			start();
			for (JobEvent event : events) {
				Object data = (event.change() != null) ? event.change() : Map.of("counts", event.counts());
				this.emitter.send(SseEmitter.event()
					.id(event.id().toString())
					.name(event.name())
					.data(JobEventController.this.json.writeValueAsString(data)));
			}
		}

		@Override
		public void heartbeat() throws IOException {
			start();
			this.emitter.send(SseEmitter.event().comment(" keep-alive"));
		}

		private void start() throws IOException {
			if (!this.started) {
				this.started = true;
				this.emitter
					.send(SseEmitter.event().reconnectTime(JobEventController.this.properties.retry().toMillis()));
			}
		}

		/**
		 * Ends the request, with the error that ended it or normally. A request the
		 * container has already ended (the client went away and Tomcat reported it first)
		 * may no longer be touched: then there is nothing left to end.
		 */
		@Override
		public void end(Exception error) {
			try {
				if (error != null) {
					this.emitter.completeWithError(error);
				}
				else {
					this.emitter.complete();
				}
			}
			catch (IllegalStateException ended) {
				log.debug("Job(id={}) event stream already ended by the container: {}", this.jobId, ended.toString());
			}
		}

	}

}
