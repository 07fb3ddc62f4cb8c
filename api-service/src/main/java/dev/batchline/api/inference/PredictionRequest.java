package dev.batchline.api.inference;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import dev.batchline.api.model.ModelRoute;
import tools.jackson.databind.JsonNode;

/**
 * A synchronous prediction as a front door asks it of {@link Inference}.
 *
 * @param tenantId the tenant
 * @param door the front door, a tag of the metrics (e.g. {@code oip}, {@code tfserving})
 * @param route the model version the request goes to ({@link Inference#route})
 * @param rows the rows, each one TensorFlow Serving "instances" value
 * @param timeout how long to wait for a worker, or {@code null} for the default
 * @param cache whether to use the result cache, or {@code null} for the model's setting
 */
public record PredictionRequest(UUID tenantId, String door, ModelRoute route, List<JsonNode> rows, Duration timeout,
		Boolean cache) {

}
