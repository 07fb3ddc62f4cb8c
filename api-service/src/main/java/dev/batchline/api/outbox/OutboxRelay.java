package dev.batchline.api.outbox;

import java.io.ByteArrayOutputStream;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.batchline.api.model.ModelCatalog;
import dev.batchline.api.system.ApiProperties;
import dev.batchline.api.system.ApiProperties.ChunkEncoding;
import dev.batchline.contracts.ChunkSubmitted;
import dev.batchline.contracts.ChunkTensors;
import dev.batchline.contracts.CloudEventRecords;
import dev.batchline.contracts.DenseInstances;
import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.ModelDeployed;
import dev.batchline.contracts.ModelDeployed.ModelSignature;
import dev.batchline.contracts.Topics;
import dev.batchline.contracts.TraceContext;
import dev.batchline.support.PollLoop;
import dev.batchline.support.PolledLifecycle;
import dev.batchline.support.tracing.JobTracing;
import io.cloudevents.CloudEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.tracing.Span;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JsonGenerator;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.ResultSetExtractor;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Publishes outbox rows to Kafka and deletes them once the broker has acknowledged them.
 * Rows are claimed with {@code FOR UPDATE SKIP LOCKED}, so several api-service replicas
 * relay side by side and never publish the same row at the same time. When Kafka is
 * unreachable the round fails, the transaction rolls back, the rows stay, and the relay
 * tries again with a growing pause ({@link PollLoop}): submissions are never blocked or
 * lost.
 *
 * <p>
 * Delivery is at least once (a crash between the broker's acknowledgement and the commit
 * publishes a row again); consumers deduplicate on the CloudEvents id.
 * <p>
 * A row stored with a trace context is published in a producer span of that trace, whose
 * context the record carries in the CloudEvents distributed-tracing extension.
 */
@Component
class OutboxRelay implements PolledLifecycle {

	private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);

	private static final String SOURCE = "api-service";

	private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

	/** Rows the cursor reads at a time. */
	private static final int FETCH_ROWS = 8;

	private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

	private static final Duration STOP_GRACE = Duration.ofSeconds(10);

	private final JdbcTemplate jdbc;

	private final TransactionTemplate transactions;

	private final KafkaTemplate<String, CloudEvent> kafka;

	private final Topics topics;

	private final ApiProperties properties;

	private final ModelCatalog models;

	private final Counter published;

	private final Counter dropped;

	private final PollLoop loop;

	private final JobTracing tracing;

	/**
	 * Largest tensor sent for a chunk when its JSON is smaller: three quarters of the
	 * producer's {@code max.request.size} (768 KB of the default 1 MiB), which a larger
	 * record would exceed and be dropped.
	 */
	private final long maxTensorBytes;

	OutboxRelay(JdbcTemplate jdbc, TransactionTemplate transactions, KafkaTemplate<String, CloudEvent> kafka,
			Topics topics, ApiProperties properties, ModelCatalog models, MeterRegistry meters, JobTracing tracing) {
		this.models = models;
		this.tracing = tracing;
		this.jdbc = jdbc;
		this.transactions = transactions;
		this.kafka = kafka;
		this.topics = topics;
		this.properties = properties;
		Object maxRequest = kafka.getProducerFactory()
			.getConfigurationProperties()
			.getOrDefault(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 1024 * 1024);
		this.maxTensorBytes = Long.parseLong(maxRequest.toString().strip()) * 3 / 4;
		this.published = Counter.builder("batchline.outbox.published")
			.description("Outbox records published to Kafka")
			.register(meters);
		this.dropped = Counter.builder("batchline.outbox.dropped")
			.description("Outbox records that could never be published (too large, missing chunk)")
			.register(meters);
		meters.gauge("batchline.outbox.pending", this, OutboxRelay::pendingRows);
		// a full batch is followed by the next at once; Kafka away: 200 ms doubling to 10
		// s
		this.loop = PollLoop.named("outbox-relay", this::relayOnce)
			.pollInterval(properties.outboxPollInterval())
			.backoff(Duration.ofMillis(200), MAX_BACKOFF)
			.stopGrace(STOP_GRACE)
			.build();
	}

	/** Tells the relay there is new work, e.g. after a commit that wrote outbox rows. */
	void wakeUp() {
		this.loop.wakeUp();
	}

	/**
	 * Publishes one round of rows: up to {@code outbox-batch-size} rows, read through a
	 * cursor and sent as they are read, until {@code outbox-round-bytes} of them were
	 * read (without it a round of 500 chunks of 256 KB would hold 128 MB at once).
	 * @return whether the round was full, so more rows may be waiting
	 */
	boolean relayOnce() {
		int[] acknowledged = { 0 };
		Boolean full = this.transactions.execute((status) -> {
			List<Sent> sent = new ArrayList<>();
			long[] bytes = { 0 };
			this.jdbc.query((connection) -> {
				PreparedStatement statement = connection.prepareStatement(
						"""
								select o.id, o.topic, o.record_key, o.event_id, o.event_type, o.job_id, o.chunk_no, o.payload,
								       o.created_at, o.traceparent, o.tracestate, j.model, j.model_version, j.cache, c.first_index,
								       c.instances
								from outbox o
								left join input_chunks c on c.job_id = o.job_id and c.chunk_no = o.chunk_no
								left join jobs j on j.id = c.job_id
								order by o.id
								limit ?
								for update of o skip locked
								""");
				statement.setInt(1, this.properties.outboxBatchSize());
				// a cursor: chunks are read a few at a time, and rows beyond the fetch
				// that passed the budget are neither read nor locked (those of that
				// fetch not sent stay in the outbox for the next round)
				statement.setFetchSize(FETCH_ROWS);
				return statement;
			}, (ResultSetExtractor<Void>) (rs) -> {
				while (bytes[0] < this.properties.outboxRoundBytes() && rs.next()) {
					Row row = row(rs);
					bytes[0] += row.bytes();
					sent.add(new Sent(row.id(), row.topic(), row.key(), sendOrFail(row)));
				}
				return null;
			});
			if (sent.isEmpty()) {
				return false;
			}
			// the round waits for every acknowledgement anyway: send the last batches now
			// instead of after linger.ms (which only helps the batches fill while rows
			// are handed over)
			this.kafka.flush();
			List<Long> done = new ArrayList<>(sent.size());
			long deadline = System.nanoTime() + SEND_TIMEOUT.toNanos();
			for (Sent one : sent) {
				Throwable failure = awaitAck(one.ack(), deadline);
				if (failure == null) {
					done.add(one.id());
					acknowledged[0]++;
				}
				else if (isPermanent(failure)) {
					// a row that can never be published must not hold up the others: drop
					// it; an unanswered chunk is re-driven or failed by the watchdog
					log.error("Outbox row {} ({} {}) can never be published, dropped: {}", one.id(), one.topic(),
							one.key(), failure.toString());
					this.dropped.increment();
					done.add(one.id());
				}
				else {
					throw new IllegalStateException("Kafka did not acknowledge the outbox records", failure);
				}
			}
			this.jdbc.update("delete from outbox where id = any(?)", (Object) done.toArray(Long[]::new));
			return sent.size() >= this.properties.outboxBatchSize() || bytes[0] >= this.properties.outboxRoundBytes();
		});
		// counted once committed: a round rolled back publishes its rows again
		this.published.increment(acknowledged[0]);
		return Boolean.TRUE.equals(full);
	}

	/**
	 * Sends a row; the acknowledgement keeps nothing of the record once it came, and a
	 * row that cannot even be handed to the producer fails it.
	 */
	private CompletableFuture<?> sendOrFail(Row row) {
		try {
			return send(row).thenApply((result) -> null);
		}
		catch (RuntimeException ex) {
			return CompletableFuture.failedFuture(ex);
		}
	}

	private CompletableFuture<?> send(Row row) {
		String topic = topicOf(row.topic());
		if (row.trace() == null) {
			return this.kafka.send(topic, row.key(), toEvent(row));
		}
		try (JobTracing.Step step = this.tracing.start("publish " + topic, Span.Kind.PRODUCER, row.jobId(),
				row.trace())) {
			step.tag("messaging.destination.name", topic);
			return this.kafka.send(topic, row.key(), TraceContext.attach(toEvent(row), step.context()));
		}
	}

	private String topicOf(String logicalTopic) {
		return switch (logicalTopic) {
			case Outbox.CHUNKS -> this.topics.chunks();
			case Outbox.JOB_EVENTS -> this.topics.jobEvents();
			case Outbox.CONTROL -> this.topics.control();
			case Outbox.WEBHOOK_COMMANDS -> this.topics.webhookCommands();
			default -> throw new IllegalStateException("Unknown outbox topic " + logicalTopic);
		};
	}

	private CloudEvent toEvent(Row row) {
		String subject = (row.jobId() != null) ? row.jobId().toString() : row.key();
		if (row.payload() != null) {
			return CloudEventRecords.eventWithJson(row.eventId(), row.eventType(), SOURCE, subject, row.createdAt(),
					row.payload());
		}
		if (row.instances() == null) {
			throw new MissingChunkException(
					"Outbox row " + row.id() + " names a missing chunk " + row.jobId() + "/" + row.chunkNo());
		}
		byte[] tensor = (this.properties.chunkEncoding() == ChunkEncoding.SAFETENSORS) ? chunkTensor(row) : null;
		if (tensor != null) {
			return CloudEventRecords.eventWithData(row.eventId(), row.eventType(), SOURCE, subject, row.createdAt(),
					ChunkTensors.CONTENT_TYPE, tensor);
		}
		return CloudEventRecords.eventWithJson(row.eventId(), row.eventType(), SOURCE, subject, row.createdAt(),
				chunkJson(row));
	}

	/**
	 * The chunk as one tensor, or null when it goes as JSON: its model is not known here
	 * (yet) or has no single numeric input, or its items do not all read densely and fit
	 * (such items are checked one by one by the workers, which name the bad ones). The
	 * numbers are read here, once, so that the workers only copy them.
	 */
	private byte[] chunkTensor(Row row) {
		ModelSignature signature = this.models.find(row.model(), row.modelVersion())
			.map(ModelDeployed::signature)
			.orElse(null);
		// a chunk over chunk-max-bytes is one oversized item: as a tensor it would only
		// grow (up to 4 bytes a number for 2 bytes of JSON), and reading it costs memory
		if (signature == null || !ChunkTensors.encodable(signature)
				|| row.instances().length > this.properties.chunkMaxBytes()) {
			return null;
		}
		try {
			DenseInstances items = DenseInstances.readArray(row.instances(), row.instances().length / 2);
			if (items == null || ChunkTensors.dataBytes(items, signature) > Math.max(this.maxTensorBytes,
					(long) row.instances().length)) {
				return null;
			}
			return ChunkTensors.encodeIfFits(new ChunkSubmitted(row.jobId(), row.chunkNo(), row.firstIndex(),
					row.model(), row.modelVersion(), List.of(), row.cache()), items, signature);
		}
		catch (RuntimeException ex) {
			// never a reason to hold the outbox up: the chunk goes as JSON
			log.warn("Job(id={}) chunk {} sent as JSON, not as a tensor: {}", row.jobId(), row.chunkNo(),
					ex.toString());
			return null;
		}
	}

	/** The chunk record, with the stored instances copied as they are (no re-parsing). */
	private static byte[] chunkJson(Row row) {
		ByteArrayOutputStream out = new ByteArrayOutputStream(row.instances().length + 256);
		try (JsonGenerator json = EventCodec.mapper().createGenerator(out)) {
			json.writeStartObject();
			json.writeStringProperty("job_id", row.jobId().toString());
			json.writeNumberProperty("chunk", row.chunkNo());
			json.writeNumberProperty("first_index", row.firstIndex());
			json.writeStringProperty("model", row.model());
			json.writeStringProperty("version", row.modelVersion());
			json.writeBooleanProperty("cache", row.cache());
			json.writeName("instances");
			json.writeRawValue(new String(row.instances(), java.nio.charset.StandardCharsets.UTF_8));
			json.writeEndObject();
		}
		return out.toByteArray();
	}

	/** Waits for one acknowledgement; returns its failure, or null when acknowledged. */
	private static Throwable awaitAck(CompletableFuture<?> ack, long deadline) {
		try {
			ack.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
			return null;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while publishing the outbox", ex);
		}
		catch (ExecutionException ex) {
			return (ex.getCause() != null) ? ex.getCause() : ex;
		}
		catch (TimeoutException ex) {
			return ex;
		}
	}

	/**
	 * Whether a failure is the row's own and would recur on every try (too large, not
	 * serializable, a chunk that no longer exists), not Kafka being away.
	 */
	static boolean isPermanent(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			if (cause instanceof RecordTooLargeException || cause instanceof SerializationException
					|| cause instanceof InvalidTopicException || cause instanceof MissingChunkException) {
				return true;
			}
		}
		return false;
	}

	/** An outbox row naming a chunk that is not stored. */
	static final class MissingChunkException extends IllegalStateException {

		MissingChunkException(String message) {
			super(message);
		}

	}

	private long pendingRows() {
		Long count = this.jdbc.queryForObject("select count(*) from outbox", Long.class);
		return (count != null) ? count : 0;
	}

	private static Row row(ResultSet rs) throws SQLException {
		long firstIndex = rs.getLong("first_index");
		Integer chunkNo = (Integer) rs.getObject("chunk_no");
		return new Row(rs.getLong("id"), rs.getString("topic"), rs.getString("record_key"), rs.getString("event_id"),
				rs.getString("event_type"), rs.getObject("job_id", UUID.class), chunkNo, rs.getBytes("payload"),
				rs.getTimestamp("created_at").toInstant(),
				TraceContext.of(rs.getString("traceparent"), rs.getString("tracestate")), rs.getString("model"),
				rs.getString("model_version"), rs.getBoolean("cache"), firstIndex, rs.getBytes("instances"));
	}

	private record Row(long id, String topic, String key, String eventId, String eventType, UUID jobId, Integer chunkNo,
			byte[] payload, Instant createdAt, TraceContext trace, String model, String modelVersion, boolean cache,
			long firstIndex, byte[] instances) {

		/** The stored bytes read for the row. */
		long bytes() {
			return ((this.payload != null) ? this.payload.length : 0)
					+ ((this.instances != null) ? this.instances.length : 0);
		}

	}

	/** A row handed to the producer: what the round needs of it once acknowledged. */
	private record Sent(long id, String topic, String key, CompletableFuture<?> ack) {
	}

	@Override
	public PollLoop pollLoop() {
		return this.loop;
	}

}
