package dev.batchline.contracts;

import java.util.List;
import java.util.Map;

/**
 * The Kafka topic names of one Batchline installation. Every name starts with a
 * configurable prefix ({@code batchline} by default), so that several installations can
 * share a cluster.
 *
 * @param prefix the topic name prefix, without the trailing dot
 */
public record Topics(String prefix) {

	/** The prefix used when none is configured. */
	public static final String DEFAULT_PREFIX = "batchline";

	/**
	 * How long records stay on the control topic: longer than the longest completion
	 * window.
	 */
	public static final java.time.Duration CONTROL_RETENTION = java.time.Duration.ofDays(8);

	/**
	 * How long records stay on the models topic: a live worker announces again every
	 * heartbeat, so only the keys of workers gone without a tombstone (crashed) are
	 * deleted.
	 */
	public static final java.time.Duration MODELS_RETENTION = java.time.Duration.ofDays(7);

	/**
	 * How long a tombstone stays on the models topic once compacted, so that a reader in
	 * the middle of the topic still sees it.
	 */
	public static final java.time.Duration MODELS_TOMBSTONE_RETENTION = java.time.Duration.ofDays(1);

	/**
	 * The models topic's segments roll at least this often, so that heartbeats are
	 * compacted away and a reader from the start reads little more than one record per
	 * key.
	 */
	public static final java.time.Duration MODELS_SEGMENT = java.time.Duration.ofHours(1);

	public Topics {
		if (prefix == null || prefix.isBlank()) {
			prefix = DEFAULT_PREFIX;
		}
	}

	/** Topics with the default prefix. */
	public static Topics defaults() {
		return new Topics(DEFAULT_PREFIX);
	}

	/**
	 * Chunks of job inputs, key = {@code <job id>/<chunk>} (spreads a job over all
	 * partitions), value = {@link ChunkSubmitted}.
	 */
	public String chunks() {
		return this.prefix + ".chunks";
	}

	/** Chunk results, key = job id, value = {@link ChunkCompleted}. */
	public String results() {
		return this.prefix + ".results";
	}

	/** Job lifecycle events, key = job id, value = {@link JobEvent}. */
	public String jobEvents() {
		return this.prefix + ".job-events";
	}

	/**
	 * Compacted: job control for the workers, key = job id, value = {@link JobControl}
	 * (skip the job's chunks: it was cancelled or expired); a tombstone once the job is
	 * finished.
	 */
	public String control() {
		return this.prefix + ".control";
	}

	/**
	 * Chunks that could not be processed, key = {@code <job id>/<chunk>}, value = the
	 * chunk record's original bytes.
	 */
	public String chunksDeadLetter() {
		return chunks() + ".DLT";
	}

	/**
	 * Chunk results the api-service could not record (undecodable, refused by the
	 * database, of an unknown job or chunk), key = as consumed (the job id), value = the
	 * result record's original bytes and headers, plus {@link RecordHeaders#REASON},
	 * {@link RecordHeaders#ERROR} and {@link RecordHeaders#ORIGIN}.
	 */
	public String resultsDeadLetter() {
		return results() + ".DLT";
	}

	/**
	 * What the webhook dispatcher tells the api-service about webhook endpoints, key =
	 * endpoint id, value =
	 * {@link dev.batchline.contracts.webhooks.WebhookEndpointDisabled} (its receiver
	 * answered 410 Gone).
	 */
	public String webhookEvents() {
		return this.prefix + ".webhook-events";
	}

	/**
	 * What the api-service asks of the webhook dispatcher, key = the delivery or endpoint
	 * id, value = {@link dev.batchline.contracts.webhooks.WebhookReplayRequested}.
	 */
	public String webhookCommands() {
		return this.prefix + ".webhook-commands";
	}

	/**
	 * Compacted: the models the workers serve, key = {@code name:version@worker id}
	 * ({@link ModelDeployed#key()}), value = {@link ModelDeployed} (sent at start and
	 * every heartbeat), or a tombstone when the worker stops serving it.
	 */
	public String models() {
		return this.prefix + ".models";
	}

	/**
	 * Every topic of an installation as it is declared: the work topics with the given
	 * partitions, the models and control topics with one partition, compacted (the
	 * control topic's records also deleted after {@link #CONTROL_RETENTION}, the models
	 * topic's after {@link #MODELS_RETENTION}, its tombstones kept
	 * {@link #MODELS_TOMBSTONE_RETENTION}). The services declare these at start, and the
	 * launcher creates them before.
	 * @param partitions the partitions of the work topics (the most useful workers)
	 * @return the topics, each with its partitions and topic configs
	 */
	public List<Declaration> declarations(int partitions) {
		return List.of(new Declaration(chunks(), partitions, Map.of()),
				new Declaration(results(), partitions, Map.of()), new Declaration(jobEvents(), partitions, Map.of()),
				new Declaration(chunksDeadLetter(), partitions, Map.of()),
				new Declaration(resultsDeadLetter(), partitions, Map.of()),
				new Declaration(webhookEvents(), partitions, Map.of()),
				new Declaration(webhookCommands(), partitions, Map.of()),
				new Declaration(models(), 1,
						Map.of("cleanup.policy", "compact,delete", "retention.ms",
								String.valueOf(MODELS_RETENTION.toMillis()), "delete.retention.ms",
								String.valueOf(MODELS_TOMBSTONE_RETENTION.toMillis()), "segment.ms",
								String.valueOf(MODELS_SEGMENT.toMillis()))),
				new Declaration(control(), 1, Map.of("cleanup.policy", "compact,delete", "retention.ms",
						String.valueOf(CONTROL_RETENTION.toMillis()))));
	}

	/**
	 * How a topic is declared.
	 *
	 * @param name the topic name
	 * @param partitions its partitions
	 * @param configs its topic configs (e.g. {@code cleanup.policy})
	 */
	public record Declaration(String name, int partitions, Map<String, String> configs) {
	}

}
