package dev.batchline.contracts;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A model version that one worker serves, published to the compacted
 * {@link Topics#models()} topic, key = {@code name:version@worker id} ({@link #key()}).
 * The API routes and validates submissions against it.
 * <p>
 * A worker sends it when it is ready and again every heartbeat interval with a fresh
 * {@code announcedAt}; a reader counts the version as served by that worker only while
 * {@code announcedAt} is recent (the api-service's
 * {@code batchline.api.catalog.expire-after}), so a crashed worker's versions expire,
 * also for a reader that reads the topic again from its start. A worker that stops
 * gracefully sends a tombstone (a null value) for each of its keys first. A record
 * without {@code workerId} and {@code announcedAt} (keyed {@code name:version}, from a
 * worker that does not send heartbeats) counts until a tombstone for its key.
 *
 * @param name the model name
 * @param version the version (a folder name of the model repository)
 * @param signature the serving signature
 * @param maxBatchSize the largest batch the workers run in one predict call
 * @param deployedAt when the worker loaded the model
 * @param workerId the announcing worker, or null
 * @param announcedAt when the worker sent this announcement (its heartbeat), or null
 * @param fingerprint {@code sha256:<hex>} over the SavedModel's files
 * ({@code saved_model.pb} and {@code variables/}), so that two different models with the
 * same name and version can be told apart, or null when unknown
 * @param endpoint the base URL ({@code http://host:port}) where the api-service asks the
 * worker for synchronous predictions ({@link PredictionCall#PATH}), or null when the
 * worker takes none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelDeployed(String name, String version, ModelSignature signature, int maxBatchSize, Instant deployedAt,
		String workerId, Instant announcedAt, String fingerprint, String endpoint) {

	/** CloudEvents type of this record. */
	public static final String TYPE = "dev.batchline.model.deployed";

	/**
	 * An announcement without worker, heartbeat or fingerprint, keyed
	 * {@code name:version}: it counts until a tombstone for its key.
	 * @param name the model name
	 * @param version the version
	 * @param signature the serving signature
	 * @param maxBatchSize the largest batch of one predict call
	 * @param deployedAt when the model was loaded
	 */
	public ModelDeployed(String name, String version, ModelSignature signature, int maxBatchSize, Instant deployedAt) {
		this(name, version, signature, maxBatchSize, deployedAt, null, null, null, null);
	}

	/**
	 * The record key of this announcement on the models topic: {@code name:version@worker
	 * id}, or {@code name:version} without a worker.
	 */
	public String key() {
		return key(this.name, this.version, this.workerId);
	}

	/**
	 * The record key of a model version announced by a worker.
	 * @param name the model name
	 * @param version the version
	 * @param workerId the worker, or null
	 * @return {@code name:version@workerId}, or {@code name:version} without a worker
	 */
	public static String key(String name, String version, String workerId) {
		return name + ":" + version + ((workerId != null) ? "@" + workerId : "");
	}

	/**
	 * The same announcement, sent again at {@code at} (a heartbeat).
	 * @param at the time of the heartbeat
	 * @return the announcement with {@code announcedAt} set
	 */
	public ModelDeployed withAnnouncedAt(Instant at) {
		return new ModelDeployed(this.name, this.version, this.signature, this.maxBatchSize, this.deployedAt,
				this.workerId, at, this.fingerprint, this.endpoint);
	}

	/**
	 * The inputs and outputs of a model's {@code serving_default} signature.
	 *
	 * @param inputs the input tensors
	 * @param outputs the output tensors
	 */
	public record ModelSignature(List<TensorSpec> inputs, List<TensorSpec> outputs) {
	}

	/**
	 * One tensor of a signature.
	 *
	 * @param name the tensor's name in the signature
	 * @param dtype the element type, e.g. {@code float32}
	 * @param shape the shape, {@code -1} for the batch and any other free dimension
	 */
	public record TensorSpec(String name, String dtype, List<Long> shape) {
	}

}
