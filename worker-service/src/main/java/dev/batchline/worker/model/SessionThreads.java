package dev.batchline.worker.model;

import java.util.Base64;

import ai.djl.repository.zoo.Criteria;
import ai.djl.tensorflow.engine.javacpp.JavacppUtils;
import org.tensorflow.proto.framework.ConfigProto;

/**
 * TensorFlow's threads for a model's session: its {@code ConfigProto}'s
 * {@code intra_op_parallelism_threads} (how many threads one operation, such as a matrix
 * product, is split over) and {@code inter_op_parallelism_threads} (the pool the
 * operations of a call run on; {@code -1} runs them one after another on the thread that
 * made the call). {@code 0} leaves each to TensorFlow (one per core). The workers and the
 * bench's raw DJL limit load their models with the same settings.
 *
 * @param intraOp {@code 0} for TensorFlow's choice, else threads per operation
 * @param interOp {@code 0} for TensorFlow's choice, {@code -1} for the calling thread,
 * else the pool's threads
 */
public record SessionThreads(int intraOp, int interOp) {

	/** TensorFlow's own choice for both. */
	public static final SessionThreads DEFAULT = new SessionThreads(0, 0);

	public SessionThreads {
		if (intraOp < 0 || interOp < -1) {
			throw new IllegalArgumentException(
					"TensorFlow threads must be 0 or more (intra-op) and -1 or more (inter-op): " + intraOp + ", "
							+ interOp);
		}
	}

	/**
	 * Gives the settings to DJL's TensorFlow engine as the model's {@code ConfigProto}
	 * load option: DJL's own session config (its {@code ai.djl.tensorflow.num_*_threads}
	 * system properties and GPU options) with the threads set here. With both at
	 * {@code 0} the criteria are left as they are.
	 * @param <I> the input type
	 * @param <O> the output type
	 * @param criteria the model's criteria
	 * @return the same builder
	 */
	public <I, O> Criteria.Builder<I, O> applyTo(Criteria.Builder<I, O> criteria) {
		if (equals(DEFAULT)) {
			return criteria;
		}
		ConfigProto.Builder config = JavacppUtils.getSessionConfig().toBuilder();
		if (this.intraOp != 0) {
			config.setIntraOpParallelismThreads(this.intraOp);
		}
		if (this.interOp != 0) {
			config.setInterOpParallelismThreads(this.interOp);
		}
		return criteria.optOption("ConfigProto", Base64.getEncoder().encodeToString(config.build().toByteArray()));
	}

	@Override
	public String toString() {
		return "intra-op " + ((this.intraOp == 0) ? "TensorFlow's" : this.intraOp) + ", inter-op "
				+ ((this.interOp == 0) ? "TensorFlow's" : (this.interOp == -1) ? "the calling thread" : this.interOp);
	}

}
