package dev.batchline.contracts;

import java.util.UUID;

/**
 * A control record for the workers, on the compacted {@link Topics#control()} topic, key
 * = job id: while it stands, workers skip the job's chunks (answering each with a
 * {@link ChunkCompleted#skipped() skipped} result instead of running the model). The API
 * writes a tombstone once the job is finished.
 *
 * @param jobId the job
 * @param state the job's state that asks for it: {@code CANCELLING} or {@code EXPIRED}
 */
public record JobControl(UUID jobId, String state) {

	/** CloudEvents type of this record. */
	public static final String TYPE = "dev.batchline.job.control";

}
