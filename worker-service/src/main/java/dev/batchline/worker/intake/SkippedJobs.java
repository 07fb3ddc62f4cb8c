package dev.batchline.worker.intake;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import dev.batchline.contracts.CloudEventRecords;
import dev.batchline.contracts.JobControl;
import dev.batchline.contracts.Topics;
import io.cloudevents.CloudEvent;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The jobs whose chunks this worker skips: it reads the whole compacted control topic
 * from the start and follows it (every replica keeps its own copy, no consumer group), so
 * a cancelled or expired job's chunks still in Kafka are answered at once as skipped
 * instead of being predicted.
 */
@Component
class SkippedJobs implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(SkippedJobs.class);

	/** Entries older than this are forgotten: no job lives that long. */
	private static final Duration MEMORY = Duration.ofDays(8);

	private static final Duration POLL = Duration.ofMillis(1000);

	/** How long the broker holds a fetch of the idle control topic. */
	private static final int CONTROL_FETCH_WAIT_MS = 500;

	private final Map<UUID, Instant> skipped = new ConcurrentHashMap<>();

	private final KafkaProperties properties;

	private final Topics topics;

	private volatile KafkaConsumer<String, CloudEvent> consumer;

	private volatile boolean running;

	private Thread thread;

	SkippedJobs(KafkaProperties properties, Topics topics) {
		this.properties = properties;
		this.topics = topics;
	}

	/** Whether the job's chunks are to be skipped. */
	boolean contains(UUID jobId) {
		return this.skipped.containsKey(jobId);
	}

	void add(JobControl control, Instant at) {
		this.skipped.put(control.jobId(), at);
	}

	@Override
	public void start() {
		Map<String, Object> config = this.properties.buildConsumerProperties();
		config.remove(ConsumerConfig.GROUP_ID_CONFIG);
		config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
		config.put(ConsumerConfig.CLIENT_ID_CONFIG, "worker-control-" + ProcessHandle.current().pid());
		// not the chunk consumer's short fetch wait (max-batch-delay): the control topic
		// is
		// nearly always idle, and a long-polled fetch costs neither worker nor broker CPU
		config.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 1);
		config.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, CONTROL_FETCH_WAIT_MS);
		this.consumer = new KafkaConsumer<>(config);
		this.running = true;
		this.thread = Thread.ofPlatform().name("job-control").daemon().start(this::run);
	}

	private void run() {
		TopicPartition partition = new TopicPartition(this.topics.control(), 0);
		try (KafkaConsumer<String, CloudEvent> kafka = this.consumer) {
			kafka.assign(List.of(partition));
			kafka.seekToBeginning(List.of(partition));
			while (this.running) {
				for (ConsumerRecord<String, CloudEvent> record : kafka.poll(POLL)) {
					accept(record);
				}
				forgetOld();
			}
		}
		catch (WakeupException ex) {
			// stopping
		}
		catch (RuntimeException ex) {
			log.error("Job control consumer stopped: cancelled jobs will be predicted, not skipped", ex);
		}
	}

	private void accept(ConsumerRecord<String, CloudEvent> record) {
		if (record.value() == null) {
			return;
		}
		try {
			JobControl control = CloudEventRecords.data(record.value(), JobControl.class);
			add(control, Instant.ofEpochMilli(record.timestamp()));
			log.info("Job(id={}) is {}: its chunks are skipped", control.jobId(), control.state());
		}
		catch (RuntimeException ex) {
			log.warn("Ignoring control record {}@{}: {}", record.partition(), record.offset(), ex.toString());
		}
	}

	private void forgetOld() {
		Instant oldest = Instant.now().minus(MEMORY);
		this.skipped.values().removeIf((at) -> at.isBefore(oldest));
	}

	@Override
	public void stop() {
		this.running = false;
		KafkaConsumer<String, CloudEvent> kafka = this.consumer;
		if (kafka != null) {
			kafka.wakeup();
		}
		if (this.thread != null) {
			try {
				this.thread.join(Duration.ofSeconds(5));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		// started before the chunk listener, stopped after it
		return SmartLifecycle.DEFAULT_PHASE - 1024;
	}

}
