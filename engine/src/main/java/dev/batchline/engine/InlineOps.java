package dev.batchline.engine;

import java.util.Base64;

import ai.djl.repository.zoo.Criteria;
import ai.djl.tensorflow.engine.javacpp.JavacppUtils;

/**
 * Whether a model's TensorFlow session runs the operations of a predict call one after
 * another on the thread that made the call ({@code inter_op_parallelism_threads = -1} in
 * the session's {@code ConfigProto}) instead of handing them to TensorFlow's pool. Each
 * operation is still split over TensorFlow's intra-op threads. The workers and the
 * bench's raw DJL limit load their models with the same setting.
 */
public final class InlineOps {

	/** DJL's TensorFlow load option for a model's session config. */
	private static final String CONFIG_OPTION = "ConfigProto";

	private InlineOps() {
	}

	/**
	 * With {@code inline}, gives DJL's own session config (its
	 * {@code ai.djl.tensorflow.num_*_threads} system properties and GPU options) with the
	 * operations on the calling thread as the model's {@code ConfigProto} load option;
	 * without, leaves the criteria as they are.
	 * @param <I> the input type
	 * @param <O> the output type
	 * @param criteria the model's criteria
	 * @param inline whether the calling thread runs the operations
	 * @return the same builder
	 */
	public static <I, O> Criteria.Builder<I, O> apply(Criteria.Builder<I, O> criteria, boolean inline) {
		if (!inline) {
			return criteria;
		}
		byte[] config = JavacppUtils.getSessionConfig()
			.toBuilder()
			.setInterOpParallelismThreads(-1)
			.build()
			.toByteArray();
		return criteria.optOption(CONFIG_OPTION, Base64.getEncoder().encodeToString(config));
	}

}
