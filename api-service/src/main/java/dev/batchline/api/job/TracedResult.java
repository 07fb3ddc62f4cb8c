package dev.batchline.api.job;

import dev.batchline.contracts.ChunkCompleted;
import dev.batchline.support.tracing.JobTracing;
import io.micrometer.tracing.Span;

/**
 * A chunk result to record, with the step of its job's trace that records it (current
 * while it is recorded, so the job events it causes continue that trace).
 *
 * @param result the result
 * @param step the step
 */
public record TracedResult(ChunkCompleted result, JobTracing.Step step) {

	/** A result recorded outside any trace (one the api-service makes itself). */
	static TracedResult untraced(ChunkCompleted result) {
		return new TracedResult(result,
				JobTracing.off().start("record result", Span.Kind.CONSUMER, result.jobId(), null));
	}

}
