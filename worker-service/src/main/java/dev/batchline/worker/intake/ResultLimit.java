package dev.batchline.worker.intake;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.kafka.core.ProducerFactory;
import org.springframework.stereotype.Component;

/**
 * The most bytes of JSON a result record may carry. A record the producer refuses
 * ({@code max.request.size}) or the broker refuses (the results topic's
 * {@code max.message.bytes}) aborts the listener's transaction, and the same chunk would
 * come again and fail the same way forever; so a chunk whose results do not fit goes to
 * the dead letter topic instead, and its items fail with {@code result_too_large}.
 * <p>
 * The limit starts at the producer's {@code max.request.size} less room for the key, the
 * CloudEvents headers and the record batch's framing. The broker's limit is not known to
 * the producer: when the broker refuses a result, the limit drops below that result's
 * size, so the chunk that comes again is dead-lettered (one aborted transaction, not an
 * endless loop).
 */
@Component
class ResultLimit {

	/** Room for the key, the {@code ce_*} headers and the record batch's framing. */
	static final int HEADROOM = 1024;

	/** How far below a refused size the limit drops: an eighth. */
	private static final int SHRINK = 8;

	private static final Logger log = LoggerFactory.getLogger(ResultLimit.class);

	private final AtomicInteger bytes;

	ResultLimit(ProducerFactory<?, ?> producers) {
		this.bytes = new AtomicInteger(Math.max(1, maxRequestSize(producers.getConfigurationProperties()) - HEADROOM));
	}

	/** The most bytes of JSON a result record may carry now. */
	int bytes() {
		return this.bytes.get();
	}

	/** Whether a result of this many bytes of JSON fits. */
	boolean fits(int resultBytes) {
		return resultBytes <= this.bytes.get();
	}

	/**
	 * A result of this many bytes was refused as too large (by the broker, or the
	 * producer): results of its size no longer fit.
	 */
	void refused(int resultBytes) {
		int lowered = resultBytes - resultBytes / SHRINK;
		int before = this.bytes.getAndAccumulate(lowered, Math::min);
		if (lowered < before) {
			log.warn("A result of {} bytes was refused as too large for a Kafka record; results over {} bytes are "
					+ "dead-lettered from now on (raise the results topic's max.message.bytes, or lower "
					+ "max.request.size to match it)", resultBytes, lowered);
		}
	}

	private static int maxRequestSize(Map<String, Object> config) {
		Object configured = config.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
		return (configured != null) ? Integer.parseInt(configured.toString().trim()) : 1024 * 1024;
	}

}
