package dev.batchline.worker.caching;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.batchline.worker.model.ServedModel;
import dev.batchline.worker.system.WorkerProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;

import org.springframework.stereotype.Component;

/**
 * Outputs of loaded model versions by {@link RowKeys row key}, in this worker's memory:
 * at most {@code batchline.worker.cache.max-bytes} of keys and outputs (least recently
 * used go first), each for {@code expire-after} after it was written. Only rows of jobs
 * that asked for the cache are looked up or written. Metrics: Caffeine's
 * {@code cache.gets{result=hit|miss}}, {@code cache.evictions}, {@code cache.size} with
 * {@code cache=worker-results}.
 */
@Component
public class ResultCache {

	/** The {@code cache} tag of the metrics. */
	public static final String NAME = "worker-results";

	/** About what an entry costs besides its key's and output's bytes. */
	private static final int ENTRY_OVERHEAD = 64;

	private final Cache<String, byte[]> outputs;

	private final MeterRegistry meters;

	public ResultCache(WorkerProperties properties, MeterRegistry meters) {
		this.meters = meters;
		this.outputs = Caffeine.newBuilder()
			.maximumWeight(properties.cache().maxBytes())
			.weigher((String key, byte[] output) -> ENTRY_OVERHEAD + 2 * key.length() + output.length)
			.expireAfterWrite(properties.cache().expireAfter())
			// evictions run on the thread that wrote: the bound holds once a put returns
			.executor(Runnable::run)
			.recordStats()
			.build();
		CaffeineCacheMetrics.monitor(meters, this.outputs, NAME);
	}

	/**
	 * The cached output of a row.
	 * @param key the row's key
	 * @return the output object's JSON, or null
	 */
	public byte[] get(String key) {
		return this.outputs.getIfPresent(key);
	}

	/**
	 * Caches the output of a row.
	 * @param key the row's key
	 * @param output the output object's JSON
	 */
	public void put(String key, byte[] output) {
		this.outputs.put(key, output);
	}

	/**
	 * Counts rows of a model version answered without a predict of their own.
	 * @param model the model version
	 * @param from {@code cache}, or {@code batch} for copies of a row predicted in the
	 * same call
	 * @param rows how many
	 */
	void answered(ServedModel model, String from, int rows) {
		Counter.builder("batchline.worker.cache.answered")
			.description("Rows of cached jobs answered without a predict of their own: from the cache, "
					+ "or as a copy of an identical row of the same call")
			.tag("model", model.name())
			.tag("version", model.version())
			.tag("from", from)
			.register(this.meters)
			.increment(rows);
	}

}
