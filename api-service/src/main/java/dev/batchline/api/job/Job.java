package dev.batchline.api.job;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

/**
 * A batch job: what was asked (model, items), where it stands (state, counters) and when.
 * State changes go through {@link JobManagement}, which checks {@link JobState}'s table
 * and keeps the history.
 */
@Entity
@Table(name = "jobs")
public class Job {

	@Id
	private UUID id;

	private UUID tenantId;

	private String model;

	private String modelVersion;

	@Enumerated(EnumType.STRING)
	private JobState state;

	private long totalItems;

	private long succeededItems;

	private long failedItems;

	/** Bytes of input and results the job keeps stored (the stored-bytes quota). */
	private long storedBytes;

	private int totalChunks;

	private int completedChunks;

	private String metadata;

	/** Where this job's terminal event is also sent, signed with the tenant's secret. */
	private String callbackUrl;

	/** Whether the workers may answer this job's items from their result cache. */
	private boolean cache;

	private Instant createdAt;

	private Instant startedAt;

	private Instant finishedAt;

	private Instant updatedAt;

	/** The end of the job's completion window: past it, an unfinished job expires. */
	private Instant expiresAt;

	/** How long the results are kept once the job has finished. */
	private long resultsRetentionSeconds;

	/** When the results are purged: the end of the job plus its results retention. */
	private Instant resultsExpireAt;

	/** When the results were purged; the row stays a while as a tombstone. */
	private Instant purgedAt;

	@Version
	private Long version;

	protected Job() {
	}

	Job(UUID id, UUID tenantId, String model, String modelVersion, long totalItems, int totalChunks, String metadata,
			String callbackUrl, boolean cache, Instant now, Instant expiresAt, Duration resultsRetention) {
		this.id = id;
		this.tenantId = tenantId;
		this.model = model;
		this.modelVersion = modelVersion;
		this.state = JobState.QUEUED;
		this.totalItems = totalItems;
		this.totalChunks = totalChunks;
		this.metadata = metadata;
		this.callbackUrl = callbackUrl;
		this.cache = cache;
		this.createdAt = now;
		this.updatedAt = now;
		this.expiresAt = expiresAt;
		this.resultsRetentionSeconds = resultsRetention.toSeconds();
	}

	/** Moves to {@code next}, which the caller has checked is allowed. */
	void moveTo(JobState next, Instant now) {
		if (next == JobState.RUNNING && this.startedAt == null) {
			this.startedAt = now;
		}
		if (next.isTerminal()) {
			this.finishedAt = now;
			this.resultsExpireAt = now.plusSeconds(this.resultsRetentionSeconds);
		}
		this.state = next;
		this.updatedAt = now;
	}

	/** Marks the job as looked after now (the watchdog's re-drive restarts its timer). */
	void touch(Instant now) {
		this.updatedAt = now;
	}

	/**
	 * Sets the job's size once its items are stored: a streamed job's row is written
	 * before its items are counted.
	 */
	void setTotals(long totalItems, int totalChunks, long inputBytes) {
		this.totalItems = totalItems;
		this.totalChunks = totalChunks;
		this.storedBytes = inputBytes;
	}

	/** Counts one recorded chunk, whose results take {@code bytes}. */
	void countChunk(long succeeded, long failed, long bytes, Instant now) {
		this.storedBytes += bytes;
		this.succeededItems += succeeded;
		this.failedItems += failed;
		this.completedChunks++;
		this.updatedAt = now;
	}

	/** Forgets the bytes of its input chunks, deleted as it ended. */
	void releaseInputs(long bytes) {
		this.storedBytes = Math.max(0, this.storedBytes - bytes);
	}

	boolean allChunksRecorded() {
		return this.completedChunks >= this.totalChunks;
	}

	public UUID getId() {
		return this.id;
	}

	public UUID getTenantId() {
		return this.tenantId;
	}

	public String getModel() {
		return this.model;
	}

	public String getModelVersion() {
		return this.modelVersion;
	}

	public JobState getState() {
		return this.state;
	}

	public long getTotalItems() {
		return this.totalItems;
	}

	public long getSucceededItems() {
		return this.succeededItems;
	}

	public long getFailedItems() {
		return this.failedItems;
	}

	public int getTotalChunks() {
		return this.totalChunks;
	}

	public int getCompletedChunks() {
		return this.completedChunks;
	}

	public String getMetadata() {
		return this.metadata;
	}

	public String getCallbackUrl() {
		return this.callbackUrl;
	}

	public boolean isCache() {
		return this.cache;
	}

	public Instant getCreatedAt() {
		return this.createdAt;
	}

	public Instant getStartedAt() {
		return this.startedAt;
	}

	public Instant getFinishedAt() {
		return this.finishedAt;
	}

	public Instant getExpiresAt() {
		return this.expiresAt;
	}

	public Duration getResultsRetention() {
		return Duration.ofSeconds(this.resultsRetentionSeconds);
	}

	public Instant getResultsExpireAt() {
		return this.resultsExpireAt;
	}

	public Instant getPurgedAt() {
		return this.purgedAt;
	}

	/** Items without a result (yet). */
	long getUnprocessedItems() {
		return this.totalItems - this.succeededItems - this.failedItems;
	}

	public Instant getUpdatedAt() {
		return this.updatedAt;
	}

}
