package dev.batchline.api.rest;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.batchline.api.job.JobManagement;
import dev.batchline.api.job.JobWatch;
import dev.batchline.api.system.ApiException;
import dev.batchline.contracts.ProblemKind;
import dev.batchline.support.PollLoop;
import dev.batchline.support.PolledLifecycle;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter.SseEventBuilder;

/**
 * The open job event streams of this replica and the one poller that feeds them. No
 * stream holds a thread or a database connection while it waits: each is an async request
 * ({@link SseEmitter}), and one {@link PollLoop} reads every watched job in one statement
 * per round ({@link JobManagement#watch}), works out each stream's due events from that
 * snapshot and the stream's place ({@link JobEventId}), and hands them to a short-lived
 * virtual thread to write, so a client that stops reading holds up only its own stream
 * (one write in flight per stream). A write that fails (the client went away) closes the
 * stream; a heartbeat makes sure one is tried every heartbeat interval.
 */
@Component
class JobEventStreams implements PolledLifecycle {

	private static final Logger log = LoggerFactory.getLogger(JobEventStreams.class);

	private final JobManagement jobs;

	private final JobEventsProperties properties;

	private final JsonMapper json;

	private final Set<Stream> streams = ConcurrentHashMap.newKeySet();

	private final Map<UUID, Integer> perTenant = new HashMap<>();

	private final ExecutorService writers = Executors.newVirtualThreadPerTaskExecutor();

	private final Counter refusedPerTenant;

	private final Counter refusedOverall;

	private final PollLoop loop;

	private int open;

	JobEventStreams(JobManagement jobs, JobEventsProperties properties, JsonMapper json, MeterRegistry meters) {
		this.jobs = jobs;
		this.properties = properties;
		this.json = json;
		Gauge.builder("batchline.job.event.streams", this.streams, Set::size)
			.description("Open job event streams (GET /v1/jobs/{id}/events)")
			.register(meters);
		this.refusedPerTenant = meters.counter("batchline.limits.refused", "limit", "event-streams-per-tenant");
		this.refusedOverall = meters.counter("batchline.limits.refused", "limit", "event-streams");
		this.loop = PollLoop.named("job-events", this::round)
			.pollInterval(properties.pollInterval())
			.backoff(properties.pollInterval(), Duration.ofSeconds(5))
			.build();
	}

	@Override
	public PollLoop pollLoop() {
		return this.loop;
	}

	/**
	 * Opens a stream of a job its tenant may see, from the place {@code after}; its first
	 * events follow at once.
	 * @throws ApiException 429 past the tenant's open streams, 503 past this replica's
	 */
	SseEmitter open(UUID tenantId, UUID jobId, JobEventId after) {
		reserve(tenantId);
		// no timeout: the stream ends with its job (every job ends), or when a write
		// fails
		SseEmitter emitter = new SseEmitter(0L);
		long now = System.nanoTime();
		Stream stream = new Stream(tenantId, jobId, emitter, after, now,
				now - this.properties.progressInterval().toNanos());
		// busy before the poller can see it: the retry hint is written first
		stream.busy.set(true);
		this.streams.add(stream);
		emitter.onCompletion(() -> close(stream));
		emitter.onError((ex) -> close(stream));
		emitter.onTimeout(() -> close(stream));
		write(stream, List.of(SseEmitter.event().reconnectTime(this.properties.retry().toMillis())), false);
		this.loop.wakeUp();
		return emitter;
	}

	private synchronized void reserve(UUID tenantId) {
		if (this.open >= this.properties.maxStreams()) {
			this.refusedOverall.increment();
			throw new ApiException(ProblemKind.UNAVAILABLE, "This replica has " + this.properties.maxStreams()
					+ " event streams open (batchline.api.events.max-streams); retry later")
				.retryAfter(5);
		}
		int tenant = this.perTenant.getOrDefault(tenantId, 0);
		if (tenant >= this.properties.maxStreamsPerTenant()) {
			this.refusedPerTenant.increment();
			throw new ApiException(ProblemKind.QUOTA_EXCEEDED,
					"The tenant has " + tenant
							+ " event streams open on this replica (batchline.api.events.max-streams-per-tenant)"
							+ "; close one first")
				.retryAfter(5);
		}
		this.perTenant.put(tenantId, tenant + 1);
		this.open++;
	}

	private void close(Stream stream) {
		if (!this.streams.remove(stream)) {
			return;
		}
		synchronized (this) {
			this.perTenant.computeIfPresent(stream.tenantId, (tenant, count) -> (count > 1) ? count - 1 : null);
			this.open--;
		}
	}

	/** One round: every watched job in one statement, then each stream's due events. */
	private boolean round() {
		// the streams of this round: one opened meanwhile waits for the next
		List<Stream> streams = List.copyOf(this.streams);
		if (streams.isEmpty()) {
			return false;
		}
		long now = System.nanoTime();
		Map<UUID, Integer> after = new HashMap<>();
		for (Stream stream : streams) {
			after.merge(stream.jobId, stream.place.sequence(), Math::min);
		}
		Map<UUID, JobWatch> watched;
		try {
			watched = this.jobs.watch(after).stream().collect(Collectors.toMap(JobWatch::id, Function.identity()));
		}
		catch (RuntimeException ex) {
			// PostgreSQL away: the streams wait, and their clients are told they are
			// alive
			for (Stream stream : streams) {
				feed(stream, null, now, true);
			}
			throw ex;
		}
		for (Stream stream : streams) {
			feed(stream, watched.get(stream.jobId), now, false);
		}
		return false;
	}

	/**
	 * Sends a stream what is due: the state changes after its place, progress when the
	 * items processed grew (at most one per progress interval), the terminal state change
	 * last (after the final progress), then the end; or a heartbeat when it has been
	 * quiet for the heartbeat interval.
	 */
	private void feed(Stream stream, JobWatch job, long now, boolean heartbeatOnly) {
		if (!stream.busy.compareAndSet(false, true)) {
			return;
		}
		List<SseEventBuilder> events = new ArrayList<>();
		boolean end = false;
		if (!heartbeatOnly) {
			if (job == null) {
				log.info("Job(id={}) is gone: its event stream ends", stream.jobId);
				end = true;
			}
			else {
				end = due(stream, job, now, events);
			}
		}
		if (events.isEmpty() && !end) {
			if (now - stream.lastWrite < this.properties.heartbeatInterval().toNanos()) {
				stream.busy.set(false);
				return;
			}
			events.add(SseEmitter.event().comment(" keep-alive"));
		}
		if (end) {
			close(stream);
		}
		stream.lastWrite = now;
		write(stream, events, end);
	}

	/** Adds a stream's due events and moves its place past them; whether it ends. */
	private boolean due(Stream stream, JobWatch job, long now, List<SseEventBuilder> events) {
		JobWatch.Change terminal = null;
		for (JobWatch.Change change : job.changes()) {
			if (change.sequence() <= stream.place.sequence()) {
				continue;
			}
			if (change.change().to().isTerminal()) {
				terminal = change;
				break;
			}
			stream.place = stream.place.withSequence(change.sequence());
			events.add(event("state", stream.place, change.change()));
		}
		if (job.processed() > stream.place.processed()
				&& now - stream.lastProgress >= this.properties.progressInterval().toNanos()) {
			stream.place = stream.place.withProcessed(job.processed());
			stream.lastProgress = now;
			events.add(event("progress", stream.place, Map.of("counts", job.counts())));
		}
		if (terminal != null && job.processed() <= stream.place.processed()) {
			stream.place = stream.place.withSequence(terminal.sequence());
			events.add(event("state", stream.place, terminal.change()));
			return true;
		}
		// a terminal job whose terminal change the client has seen (a resumed stream)
		return terminal == null && job.state().isTerminal();
	}

	private SseEventBuilder event(String name, JobEventId id, Object data) {
		return SseEmitter.event().id(id.toString()).name(name).data(this.json.writeValueAsString(data));
	}

	/** Writes on a virtual thread of its own; the stream is marked busy until done. */
	private void write(Stream stream, List<SseEventBuilder> events, boolean end) {
		this.writers.execute(() -> {
			try {
				for (SseEventBuilder event : events) {
					stream.emitter.send(event);
				}
				if (end) {
					stream.emitter.complete();
				}
			}
			catch (IOException | IllegalStateException ex) {
				log.debug("Job(id={}) event stream closed: {}", stream.jobId, ex.toString());
				close(stream);
				end(stream, ex);
			}
			finally {
				stream.busy.set(false);
			}
		});
	}

	@Override
	public void stop() {
		PolledLifecycle.super.stop();
		for (Stream stream : this.streams) {
			close(stream);
			end(stream, null);
		}
		this.writers.shutdown();
	}

	/**
	 * Ends a stream's request, with the error that ended it or normally. A request the
	 * container has already ended (the client went away and Tomcat reported it first) may
	 * no longer be touched: then there is nothing left to end.
	 */
	private static void end(Stream stream, Exception error) {
		try {
			if (error != null) {
				stream.emitter.completeWithError(error);
			}
			else {
				stream.emitter.complete();
			}
		}
		catch (IllegalStateException ended) {
			log.debug("Job(id={}) event stream already ended by the container: {}", stream.jobId, ended.toString());
		}
	}

	/** One open stream; its place and times are the poller's alone. */
	private static final class Stream {

		private final UUID tenantId;

		private final UUID jobId;

		private final SseEmitter emitter;

		/** A write is in flight (or the poller is working this stream out). */
		private final AtomicBoolean busy = new AtomicBoolean();

		private volatile JobEventId place;

		private volatile long lastWrite;

		private volatile long lastProgress;

		Stream(UUID tenantId, UUID jobId, SseEmitter emitter, JobEventId place, long lastWrite, long lastProgress) {
			this.tenantId = tenantId;
			this.jobId = jobId;
			this.emitter = emitter;
			this.place = place;
			this.lastWrite = lastWrite;
			this.lastProgress = lastProgress;
		}

	}

}
