package dev.batchline.api.openai;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.batchline.api.system.ApiException;

/**
 * The inference endpoint a batch's requests go to, as its {@code endpoint} and every
 * line's {@code url} name it: TensorFlow Serving's {@code :predict} or the Open Inference
 * Protocol's {@code infer}, of a model and optionally a version or label.
 *
 * @param path the endpoint as given
 * @param protocol which API's bodies the lines hold and their answers are
 * @param model the model's name
 * @param version the version or version label, or null for the model's split
 */
record BatchEndpoint(String path, Protocol protocol, String model, String version) {

	private static final String NAME = "([A-Za-z0-9][A-Za-z0-9._-]{0,127})";

	private static final Pattern TF_SERVING = Pattern
		.compile("/v1/models/" + NAME + "(?:/(?:versions|labels)/" + NAME + ")?:predict");

	private static final Pattern OPEN_INFERENCE = Pattern
		.compile("/v2/models/" + NAME + "(?:/versions/" + NAME + ")?/infer");

	enum Protocol {

		/** TensorFlow Serving's REST {@code :predict}. */
		TF_SERVING,

		/** The Open Inference Protocol's (KServe v2) REST {@code infer}. */
		OPEN_INFERENCE

	}

	/**
	 * The endpoint a batch names.
	 * @throws ApiException 400 for any other
	 */
	static BatchEndpoint of(String path) {
		if (path != null) {
			Matcher tf = TF_SERVING.matcher(path);
			if (tf.matches()) {
				return new BatchEndpoint(path, Protocol.TF_SERVING, tf.group(1), tf.group(2));
			}
			Matcher oip = OPEN_INFERENCE.matcher(path);
			if (oip.matches()) {
				return new BatchEndpoint(path, Protocol.OPEN_INFERENCE, oip.group(1), oip.group(2));
			}
		}
		throw ApiException.badRequest("'endpoint' must be a Batchline inference endpoint: "
				+ "/v1/models/{model}[/versions/{version}]:predict (TensorFlow Serving) or "
				+ "/v2/models/{model}[/versions/{version}]/infer (Open Inference Protocol)");
	}

}
