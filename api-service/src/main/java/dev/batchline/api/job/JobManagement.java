package dev.batchline.api.job;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

import dev.batchline.api.intake.Items;
import dev.batchline.api.intake.JobRequest;
import dev.batchline.api.quota.Quotas;
import dev.batchline.api.quota.RateLimitStatus;
import dev.batchline.api.system.ApiException;
import dev.batchline.api.system.ApiProperties;
import dev.batchline.contracts.ChunkKey;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import tools.jackson.databind.JsonNode;

import org.springframework.retry.support.RetryTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The job core's one public face: a job's whole life, from submission through its chunks'
 * results and state changes to its end (finished, cancelled, expired; re-driven or failed
 * chunks on the way). Every front door (REST today) and the Kafka recorders call only
 * this; everything else in this package is its inside.
 * <p>
 * Errors a client caused are {@link ApiException}s of one
 * {@link dev.batchline.contracts.ProblemKind}; another tenant's job is "not found", so
 * ids do not leak.
 */
@Service
public class JobManagement {

	private final JobSubmissions submissions;

	private final ChunkRecording recording;

	private final JobEndings endings;

	private final JobReads reads;

	private final ResultStore results;

	private final ApiProperties properties;

	private final Quotas quotas;

	private final TransactionTemplate transactions;

	private final RetryTemplate transientFailures;

	private final Counter recorded;

	private final Counter duplicates;

	JobManagement(JobSubmissions submissions, ChunkRecording recording, JobEndings endings, JobReads reads,
			ResultStore results, ApiProperties properties, Quotas quotas, TransactionTemplate transactions,
			MeterRegistry meters) {
		this.quotas = quotas;
		this.submissions = submissions;
		this.recording = recording;
		this.endings = endings;
		this.reads = reads;
		this.results = results;
		this.properties = properties;
		this.transactions = transactions;
		this.transientFailures = RecorderRetries.template(meters);
		this.recorded = meters.counter("batchline.results.recorded");
		this.duplicates = meters.counter("batchline.results.duplicates");
	}

	/**
	 * Admits a job of {@code items} items before it is submitted: the tenant's unfinished
	 * jobs and stored bytes must be under its quotas, the job is taken from its jobs per
	 * second and the items from its items per minute. Every door calls this before
	 * {@link #submit}, outside any transaction (the rate limits' buckets take a
	 * connection of their own).
	 * @return where the tenant stands against its jobs per second and items per minute
	 * (none when limits are off)
	 * @throws ApiException 422 for a job without items, 429 over a limit or quota
	 */
	public List<RateLimitStatus> admit(UUID tenantId, long items) {
		if (items == 0) {
			throw ApiException.invalid("The job has no items ('instances' is empty): a job needs at least one");
		}
		this.quotas.jobsInFlight(tenantId, this.reads.inFlight(tenantId));
		this.quotas.storedBytes(tenantId, () -> this.reads.storedBytes(tenantId));
		RateLimitStatus jobs = this.quotas.job(tenantId);
		RateLimitStatus perMinute = this.quotas.items(tenantId, items);
		return (jobs != null) ? List.of(jobs, perMinute) : List.of();
	}

	/**
	 * Admits an upload of a tenant's (a file of the OpenAI-compatible API): what it
	 * stores must be under its stored-bytes quota.
	 * @throws ApiException 429 {@code quota-exceeded}
	 */
	public void admitUpload(UUID tenantId) {
		this.quotas.storedBytes(tenantId, () -> this.reads.storedBytes(tenantId));
	}

	/**
	 * Submits a job whose items are read while they are stored, checking each against the
	 * served model's signature, in one transaction: a bad item anywhere leaves nothing
	 * written. The door has {@link #admit admitted} it.
	 * @return the queued job
	 */
	@Transactional
	public JobView submit(UUID tenantId, JobRequest request, Items items) {
		return view(this.submissions.store(tenantId, request, items, this.properties.maxStreamItems(),
				"batchline.api.max-stream-items"));
	}

	/** A tenant's job with its state history, or 404. */
	public JobView get(UUID tenantId, UUID jobId) {
		return this.reads.view(tenantId, jobId);
	}

	/**
	 * Where watched jobs stand, in one statement however many there are: each job's state
	 * and counts, and its state changes after the given place in its history (1 is its
	 * first change, {@code QUEUED}; 0 asks for all). It reads jobs of any tenant: the
	 * caller has checked, with {@link #get}, that each is its tenant's.
	 * @param after for each job, the sequence of the last state change already seen
	 * @return the jobs that still exist
	 */
	public List<JobWatch> watch(Map<UUID, Integer> after) {
		return this.reads.watch(after);
	}

	/**
	 * A page of a tenant's jobs, newest first.
	 * @param state only jobs in this state, or null for all
	 * @param cursor the previous page's {@link JobPage#nextCursor()}, or null
	 */
	public JobPage list(UUID tenantId, JobState state, String cursor, int limit) {
		return this.reads.page(tenantId, state, cursor, limit);
	}

	/**
	 * Cancels a tenant's job: {@code CANCELLING}, then {@code CANCELLED} once the workers
	 * answered or skipped every chunk.
	 * @throws ApiException 404 for an unknown job, 409 for a finished one
	 */
	@Transactional
	public JobView cancel(UUID tenantId, UUID jobId) {
		return view(this.endings.cancel(tenantId, jobId));
	}

	/**
	 * A page of a tenant's item results ({@code {index, output}} or {@code {index,
	 * error}}) in input order, from item {@code from}.
	 * @throws ApiException 404 for an unknown job, 410 once its results were purged
	 */
	@Transactional(readOnly = true)
	public ResultsPage results(UUID tenantId, UUID jobId, long from, int limit) {
		Job job = this.reads.findWithResults(tenantId, jobId);
		List<JsonNode> items = this.results.page(jobId, from, limit, false);
		long next = items.isEmpty() ? -1 : items.get(items.size() - 1).get("index").asLong() + 1;
		boolean more = items.size() == limit && next < job.getTotalItems();
		return new ResultsPage(job.getState(), job.getFailedItems(), items, more ? next : -1);
	}

	/** A page of a tenant's failed items ({@code {index, error}}) in input order. */
	@Transactional(readOnly = true)
	public ResultsPage errors(UUID tenantId, UUID jobId, long from, int limit) {
		Job job = this.reads.findWithResults(tenantId, jobId);
		List<JsonNode> items = this.results.page(jobId, from, limit, true);
		long next = (items.size() == limit) ? items.get(items.size() - 1).get("index").asLong() + 1 : -1;
		return new ResultsPage(job.getState(), job.getFailedItems(), items, next);
	}

	/**
	 * Every recorded item of a tenant's job as NDJSON, in input order, one chunk in
	 * memory at a time.
	 * @return the writer of the stream; an unknown job is a 404 here, and a job whose
	 * results were purged a 410, before any byte is written
	 */
	public ResultsStream resultsStream(UUID tenantId, UUID jobId) {
		this.reads.findWithResults(tenantId, jobId);
		return (out) -> this.results.writeNdjson(jobId, out);
	}

	/**
	 * Hands every recorded item of a tenant's job, or every failed one, to a visitor, in
	 * input order, one chunk in memory at a time.
	 * @throws ApiException 404 for an unknown job, 410 once its results were purged
	 */
	public void eachResult(UUID tenantId, UUID jobId, boolean failuresOnly, ResultVisitor visitor) throws IOException {
		this.reads.findWithResults(tenantId, jobId);
		this.results.each(jobId, failuresOnly, visitor);
	}

	/** Takes a job's item results one at a time. */
	@FunctionalInterface
	public interface ResultVisitor {

		/**
		 * Takes one item's result ({@code {index, output}} or {@code {index, error}},
		 * with its {@code custom_id} when it has one).
		 */
		void visit(JsonNode item) throws IOException;

	}

	/**
	 * Records chunk results of any jobs, each exactly once, in one transaction; a
	 * transient failure of the transaction (a serialization failure, a deadlock) is tried
	 * again at once, a few times ({@link RecorderRetries}).
	 * @return how many were new
	 * @throws UnrecordableResultException when a result cannot be recorded however often
	 * it is tried (an unknown job or chunk, data PostgreSQL refuses); nothing is recorded
	 * then, and the others may be recorded without it
	 * @throws RuntimeException any other failure (PostgreSQL away): worth trying again
	 */
	public int recordResults(List<TracedResult> results) {
		Integer recorded = inTransaction(() -> this.recording.recordAll(results));
		int count = (recorded != null) ? recorded : 0;
		this.recorded.increment(count);
		this.duplicates.increment(results.size() - count);
		return count;
	}

	/**
	 * Fails every item of a chunk the workers gave up on, unless it has a result already;
	 * retried in process on a transient failure, as {@link #recordResults} is.
	 * @return whether the failure was recorded
	 * @throws UnrecordableResultException when PostgreSQL refuses the failure's data
	 * @throws RuntimeException any other failure (PostgreSQL away): worth trying again
	 */
	public boolean failChunk(ChunkKey chunk, String code, String message) {
		return Boolean.TRUE.equals(inTransaction(() -> this.endings.failChunk(chunk, code, message)));
	}

	/**
	 * Runs recording work in a transaction, tried again in process on a transient
	 * failure; a failure the data caused comes out as an
	 * {@link UnrecordableResultException}.
	 */
	private <T> T inTransaction(Supplier<T> work) {
		try {
			return this.transientFailures.execute((retry) -> this.transactions.execute((status) -> work.get()));
		}
		catch (RuntimeException ex) {
			throw RecordingFailures.classify(ex);
		}
	}

	private JobView view(Job job) {
		return JobView.of(job, this.reads.history(job.getId()));
	}

	/**
	 * A page of item results.
	 *
	 * @param state the job's state when the page was read
	 * @param failedItems the job's failed items so far
	 * @param items the items
	 * @param nextIndex the first item of the next page, or -1 when this is the last
	 */
	public record ResultsPage(JobState state, long failedItems, List<JsonNode> items, long nextIndex) {
	}

	/** Writes a job's results as NDJSON. */
	@FunctionalInterface
	public interface ResultsStream {

		void writeTo(OutputStream out) throws IOException;

	}

}
