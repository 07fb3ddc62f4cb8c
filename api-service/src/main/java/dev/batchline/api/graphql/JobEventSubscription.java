package dev.batchline.api.graphql;

import java.util.List;
import java.util.UUID;

import dev.batchline.api.http.ApiKeyAuthentication;
import dev.batchline.api.job.JobEvent;
import dev.batchline.api.job.JobEventFeed;
import dev.batchline.api.job.JobEventId;
import dev.batchline.api.job.JobEventSink;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.ContextValue;
import org.springframework.graphql.data.method.annotation.SubscriptionMapping;
import org.springframework.stereotype.Controller;

/**
 * {@code jobEvents}: a job's events from the {@link JobEventFeed}, the same events in the
 * same order as {@code GET /v1/jobs/{id}/events} and gRPC's {@code WatchJob}, until the
 * terminal state change. Over HTTP it is GraphQL over SSE (Spring's SSE transport on
 * {@code /graphql}); Spring's keep-alive comments
 * ({@code spring.graphql.http.sse.keep-alive}) find a client that went away, and its
 * stream is then cancelled.
 */
@Controller
class JobEventSubscription {

	private final JobEventFeed feed;

	JobEventSubscription(JobEventFeed feed) {
		this.feed = feed;
	}

	/**
	 * Opens the stream when the client subscribes, so that every error (a bad id, another
	 * tenant's job, too many streams) reaches it as a GraphQL error of the stream, not as
	 * a failed subscription the SSE transport cannot tell.
	 * @param after the id of the last event the client saw (a resumed stream), or null
	 * for the job's whole history
	 */
	@SubscriptionMapping
	Flux<JobEvent> jobEvents(@ContextValue(ApiKeyAuthentication.TENANT) UUID tenantId, @Argument String id,
			@Argument String after) {
		return Flux.create((emitter) -> {
			JobEventFeed.Subscription subscription = this.feed.open(tenantId, Pages.id("id", id),
					JobEventId.parse(after, "after"), new Sink(emitter));
			emitter.onDispose(subscription::cancel);
		}, FluxSink.OverflowStrategy.BUFFER);
	}

	/**
	 * Hands the feed's events to the subscriber; a write blocks the feed's writer of this
	 * stream only, until the transport has written it.
	 */
	private record Sink(FluxSink<JobEvent> emitter) implements JobEventSink {

		@Override
		public void send(List<JobEvent> events) {
			events.forEach(this.emitter::next);
		}

		@Override
		public void heartbeat() {
			// the transport's keep-alive comments do it
		}

		/** The end of the job's events, or of this replica: nothing more to tell. */
		@Override
		public void end(Exception error) {
			this.emitter.complete();
		}

	}

}
