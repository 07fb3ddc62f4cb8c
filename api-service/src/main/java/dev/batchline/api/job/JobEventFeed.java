package dev.batchline.api.job;

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

import dev.batchline.api.system.ApiException;
import dev.batchline.contracts.ProblemKind;
import dev.batchline.support.PollLoop;
import dev.batchline.support.PolledLifecycle;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

/**
 * The job event streams of this replica, whatever door opened them (SSE, gRPC
 * {@code WatchJob}, GraphQL {@code jobEvents}), and the one poller that feeds them. No
 * stream holds a thread or a database connection while it waits: one {@link PollLoop}
 * reads every watched job in one statement per round ({@link JobManagement#watch}), works
 * out each stream's due events from that snapshot and the stream's place
 * ({@link JobEventId}), and hands them to a short-lived virtual thread to write
 * ({@link JobEventSink}), so a client that stops reading holds up only its own stream
 * (one write in flight per stream). A write that fails (the client went away) closes the
 * stream; a heartbeat makes sure one is tried every heartbeat interval.
 */
@Component
public class JobEventFeed implements PolledLifecycle {

	private static final Logger log = LoggerFactory.getLogger(JobEventFeed.class);

	private final JobManagement jobs;

	private final JobEventsProperties properties;

	private final Set<Stream> streams = ConcurrentHashMap.newKeySet();

	private final Map<UUID, Integer> perTenant = new HashMap<>();

	private final ExecutorService writers = Executors.newVirtualThreadPerTaskExecutor();

	private final Counter refusedPerTenant;

	private final Counter refusedOverall;

	private final PollLoop loop;

	private int open;

	JobEventFeed(JobManagement jobs, JobEventsProperties properties, MeterRegistry meters) {
		this.jobs = jobs;
		this.properties = properties;
		Gauge.builder("batchline.job.event.streams", this.streams, Set::size)
			.description("Open job event streams (SSE, gRPC WatchJob, GraphQL jobEvents)")
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
	 * Opens a stream of a tenant's job from the place {@code after}; its first events
	 * follow at once. The stream ends after the job's terminal event (every job ends),
	 * when the job is gone, when a write fails, or when the door cancels it.
	 * @return the stream's handle: the door cancels it when its client goes away
	 * @throws ApiException 404 for another tenant's or an unknown job, 429 past the
	 * tenant's open streams, 503 past this replica's
	 */
	public Subscription open(UUID tenantId, UUID jobId, JobEventId after, JobEventSink sink) {
		this.jobs.get(tenantId, jobId);
		reserve(tenantId);
		long now = System.nanoTime();
		// due a heartbeat at once, so that the first round writes to the stream even when
		// no event is due yet (a resumed stream)
		Stream stream = new Stream(tenantId, jobId, sink, after, now - this.properties.heartbeatInterval().toNanos(),
				now - this.properties.progressInterval().toNanos());
		this.streams.add(stream);
		this.loop.wakeUp();
		return () -> close(stream);
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
		List<JobEvent> events = new ArrayList<>();
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
		if (events.isEmpty() && !end && now - stream.lastWrite < this.properties.heartbeatInterval().toNanos()) {
			stream.busy.set(false);
			return;
		}
		if (end) {
			close(stream);
		}
		stream.lastWrite = now;
		write(stream, events, end);
	}

	/** Adds a stream's due events and moves its place past them; whether it ends. */
	private boolean due(Stream stream, JobWatch job, long now, List<JobEvent> events) {
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
			events.add(new JobEvent(stream.place, change.change(), null));
		}
		if (job.processed() > stream.place.processed()
				&& now - stream.lastProgress >= this.properties.progressInterval().toNanos()) {
			stream.place = stream.place.withProcessed(job.processed());
			stream.lastProgress = now;
			events.add(new JobEvent(stream.place, null, job.counts()));
		}
		if (terminal != null && job.processed() <= stream.place.processed()) {
			stream.place = stream.place.withSequence(terminal.sequence());
			events.add(new JobEvent(stream.place, terminal.change(), null));
			return true;
		}
		// a terminal job whose terminal change the client has seen (a resumed stream)
		return terminal == null && job.state().isTerminal();
	}

	/**
	 * Writes on a virtual thread of its own (a heartbeat when there is nothing to send);
	 * the stream is marked busy until done.
	 */
	private void write(Stream stream, List<JobEvent> events, boolean end) {
		this.writers.execute(() -> {
			try {
				if (!events.isEmpty()) {
					stream.sink.send(events);
				}
				else if (!end) {
					stream.sink.heartbeat();
				}
				if (end) {
					stream.sink.end(null);
				}
			}
			catch (Exception ex) {
				log.debug("Job(id={}) event stream closed: {}", stream.jobId, ex.toString());
				close(stream);
				stream.sink.end(ex);
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
			stream.sink.end(null);
		}
		this.writers.shutdown();
	}

	/** An open stream, as its door holds it. */
	@FunctionalInterface
	public interface Subscription {

		/** Closes the stream without a word to its sink: its client went away. */
		void cancel();

	}

	/** One open stream; its place and times are the poller's alone. */
	private static final class Stream {

		private final UUID tenantId;

		private final UUID jobId;

		private final JobEventSink sink;

		/** A write is in flight (or the poller is working this stream out). */
		private final AtomicBoolean busy = new AtomicBoolean();

		private volatile JobEventId place;

		private volatile long lastWrite;

		private volatile long lastProgress;

		Stream(UUID tenantId, UUID jobId, JobEventSink sink, JobEventId place, long lastWrite, long lastProgress) {
			this.tenantId = tenantId;
			this.jobId = jobId;
			this.sink = sink;
			this.place = place;
			this.lastWrite = lastWrite;
			this.lastProgress = lastProgress;
		}

	}

}
