package dev.batchline.api.grpc;

import java.time.Instant;
import java.util.function.Consumer;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import dev.batchline.api.job.JobState;
import dev.batchline.api.job.JobView;
import dev.batchline.api.system.ApiException;
import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.grpc.jobs.Counts;
import dev.batchline.contracts.grpc.jobs.ItemError;
import dev.batchline.contracts.grpc.jobs.ItemResult;
import dev.batchline.contracts.grpc.jobs.Job;
import dev.batchline.contracts.grpc.jobs.JobEvent;
import dev.batchline.contracts.grpc.jobs.OutputExpiresAfter;
import dev.batchline.contracts.grpc.jobs.StateChange;
import tools.jackson.databind.JsonNode;

/**
 * Jobs, events and results of the job core as the messages of {@code jobs.proto}, field
 * for field what the REST API's JSON shows. JSON values (metadata) become
 * {@code google.protobuf.Struct}s; a model's output stays JSON text.
 */
final class JobMessages {

	private static final String STATE_PREFIX = "JOB_STATE_";

	private JobMessages() {
	}

	static Job job(JobView view) {
		Job.Builder job = Job.newBuilder()
			.setId(view.id().toString())
			.setState(state(view.state()))
			.setModel(view.model())
			.setCache(view.cache())
			.setCounts(counts(view.counts()));
		if (view.version() != null) {
			job.setVersion(view.version());
		}
		if (view.metadata() != null) {
			job.setMetadata(struct(view.metadata()));
		}
		if (view.callback() != null) {
			job.setCallbackUrl(view.callback().url());
		}
		if (view.outputExpiresAfter() != null) {
			job.setOutputExpiresAfter(OutputExpiresAfter.newBuilder()
				.setAnchor(view.outputExpiresAfter().anchor())
				.setSeconds(view.outputExpiresAfter().seconds()));
		}
		setIfPresent(view.createdAt(), job::setCreatedAt);
		setIfPresent(view.startedAt(), job::setStartedAt);
		setIfPresent(view.finishedAt(), job::setFinishedAt);
		setIfPresent(view.updatedAt(), job::setUpdatedAt);
		setIfPresent(view.expiresAt(), job::setExpiresAt);
		setIfPresent(view.resultsExpireAt(), job::setResultsExpireAt);
		setIfPresent(view.purgedAt(), job::setPurgedAt);
		if (view.history() != null) {
			view.history().forEach((change) -> job.addHistory(change(change)));
		}
		return job.build();
	}

	static JobEvent event(dev.batchline.api.job.JobEvent event) {
		JobEvent.Builder message = JobEvent.newBuilder().setId(event.id().toString());
		if (event.change() != null) {
			message.setState(change(event.change()));
		}
		else {
			message.setProgress(counts(event.counts()));
		}
		return message.build();
	}

	/**
	 * An item of a results page ({@code {index, output}} or {@code {index, error}}, with
	 * its {@code custom_id} when it has one).
	 */
	static ItemResult result(JsonNode item) {
		ItemResult.Builder result = ItemResult.newBuilder().setIndex(item.get("index").asLong());
		if (item.hasNonNull("custom_id")) {
			result.setCustomId(item.get("custom_id").asString());
		}
		JsonNode error = item.get("error");
		if (error != null && !error.isNull()) {
			result.setError(ItemError.newBuilder()
				.setCode(error.path("code").asString(""))
				.setMessage(error.path("message").asString("")));
		}
		else {
			result.setOutput(EventCodec.mapper().writeValueAsString(item.get("output")));
		}
		return result.build();
	}

	static dev.batchline.contracts.grpc.jobs.JobState state(JobState state) {
		return dev.batchline.contracts.grpc.jobs.JobState.valueOf(STATE_PREFIX + state.name());
	}

	/**
	 * The job core's state of a message's, null for unspecified.
	 * @throws ApiException {@code bad-request} for a state this API does not know
	 */
	static JobState state(dev.batchline.contracts.grpc.jobs.JobState state) {
		if (state == dev.batchline.contracts.grpc.jobs.JobState.JOB_STATE_UNSPECIFIED) {
			return null;
		}
		if (state == dev.batchline.contracts.grpc.jobs.JobState.UNRECOGNIZED) {
			throw ApiException.badRequest("'state' is not a job state of this API");
		}
		return JobState.valueOf(state.name().substring(STATE_PREFIX.length()));
	}

	/**
	 * A Struct as JSON text, as the REST API takes metadata.
	 */
	static String json(Struct struct) {
		try {
			return JsonFormat.printer().omittingInsignificantWhitespace().print(struct);
		}
		catch (InvalidProtocolBufferException ex) {
			throw ApiException.badRequest("'metadata' cannot be written as JSON: " + ex.getMessage());
		}
	}

	private static Struct struct(JsonNode json) {
		Struct.Builder struct = Struct.newBuilder();
		try {
			JsonFormat.parser().merge(EventCodec.mapper().writeValueAsString(json), struct);
		}
		catch (InvalidProtocolBufferException ex) {
			throw new IllegalStateException("stored metadata is not a JSON object", ex);
		}
		return struct.build();
	}

	private static StateChange change(JobView.StateChange change) {
		StateChange.Builder message = StateChange.newBuilder().setTo(state(change.to())).setAt(timestamp(change.at()));
		if (change.from() != null) {
			message.setFrom(state(change.from()));
		}
		if (change.reason() != null) {
			message.setReason(change.reason());
		}
		return message.build();
	}

	private static Counts counts(JobView.Counts counts) {
		return Counts.newBuilder()
			.setTotal(counts.total())
			.setSucceeded(counts.succeeded())
			.setFailed(counts.failed())
			.setSkipped(counts.skipped())
			.setPending(counts.pending())
			.build();
	}

	private static void setIfPresent(Instant instant, Consumer<Timestamp> setter) {
		if (instant != null) {
			setter.accept(timestamp(instant));
		}
	}

	private static Timestamp timestamp(Instant instant) {
		return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
	}

}
