package dev.batchline.api.inference;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.batchline.contracts.CanonicalJson;
import dev.batchline.contracts.ModelDeployed;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import tools.jackson.databind.JsonNode;

import org.springframework.stereotype.Component;

/**
 * Outputs of a model version by the hash of a row's canonical input, in this replica's
 * memory (least recently used go first past {@code max-bytes}). The key holds the model's
 * name, version and fingerprint (a SHA-256 of its SavedModel's files, or when a worker
 * announced none, the moment it loaded the version), so a new model version, or new files
 * under an old version, never answer from an old one's outputs; and as a model's outputs
 * for an input never change, replicas with caches of their own all answer alike. Metrics:
 * Caffeine's {@code cache.gets{result=hit|miss}}, {@code cache.evictions},
 * {@code cache.size} with {@code cache=predictions}.
 */
@Component
class PredictionCache {

	private final Cache<String, JsonNode> outputs;

	PredictionCache(InferenceProperties properties, MeterRegistry meters) {
		this.outputs = Caffeine.newBuilder()
			.maximumWeight(properties.cache().maxBytes())
			.weigher((String key, JsonNode output) -> key.length() + output.toString().length())
			.expireAfterWrite(properties.cache().expireAfter())
			.recordStats()
			.build();
		CaffeineCacheMetrics.monitor(meters, this.outputs, "predictions");
	}

	/** The key of a row's output by a model version. */
	static String key(ModelDeployed model, JsonNode row) {
		MessageDigest sha256;
		try {
			sha256 = MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
		byte[] hash = sha256.digest(CanonicalJson.of(row).getBytes(StandardCharsets.UTF_8));
		return model.name() + '\u0000' + model.version() + '\u0000'
				+ ((model.fingerprint() != null) ? model.fingerprint() : model.deployedAt()) + '\u0000'
				+ Base64.getEncoder().withoutPadding().encodeToString(hash);
	}

	JsonNode get(String key) {
		return this.outputs.getIfPresent(key);
	}

	void put(String key, JsonNode output) {
		this.outputs.put(key, output);
	}

}
