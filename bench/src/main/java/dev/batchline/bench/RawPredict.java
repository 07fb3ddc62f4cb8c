package dev.batchline.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import dev.batchline.engine.InlineOps;
import dev.batchline.engine.TensorflowNatives;

/**
 * The limit of scenarios 1 and 7: DJL predict on the same SavedModel, in this JVM, with
 * the same batch size, thread count and inline-ops setting as the workers, each call
 * copying its input from a float array into a direct buffer of its thread, making the
 * input NDArray from it and reading its outputs back, as a worker must at the least (a
 * worker copies the rows of its chunks into such a buffer). As a rate over threads, or as
 * the latencies of single calls.
 */
final class RawPredict implements AutoCloseable {

	private final ZooModel<NDList, NDList> model;

	private final int inputs;

	RawPredict(Path modelDir, int inputs, boolean inlineOps) {
		TensorflowNatives.ensure(null);
		Engine.getEngine("TensorFlow");
		this.inputs = inputs;
		try {
			this.model = InlineOps
				.apply(Criteria.builder()
					.setTypes(NDList.class, NDList.class)
					.optEngine("TensorFlow")
					.optModelPath(modelDir)
					.optTranslator(new NoopTranslator(null)), inlineOps)
				.build()
				.loadModel();
		}
		catch (IOException | ModelNotFoundException | MalformedModelException ex) {
			throw new IllegalStateException("Could not load " + modelDir, ex);
		}
	}

	/**
	 * Predicts for {@code duration} on {@code threads} threads, each with its own
	 * predictor, batches of {@code batch} rows.
	 * @return items per second
	 */
	double itemsPerSecond(int batch, int threads, Duration duration) throws InterruptedException {
		AtomicLong items = new AtomicLong();
		CountDownLatch done = new CountDownLatch(threads);
		long end = System.nanoTime() + duration.toNanos();
		List<Thread> running = new ArrayList<>();
		long[] elapsed = new long[threads];
		for (int t = 0; t < threads; t++) {
			int thread = t;
			running.add(Thread.ofPlatform().name("raw-predict-" + t).start(() -> {
				long start = System.nanoTime();
				try (Caller caller = new Caller(batch, thread)) {
					while (System.nanoTime() < end) {
						caller.predict();
						items.addAndGet(batch);
					}
				}
				catch (TranslateException ex) {
					throw new IllegalStateException(ex);
				}
				finally {
					elapsed[thread] = System.nanoTime() - start;
					done.countDown();
				}
			}));
		}
		done.await();
		long longest = 0;
		for (long e : elapsed) {
			longest = Math.max(longest, e);
		}
		return items.get() / (longest / 1e9);
	}

	/**
	 * Times {@code calls} predict calls of {@code batch} rows one after another on this
	 * thread, as a worker's one prediction thread makes them when no requests are
	 * batched.
	 * @return each call's nanoseconds
	 */
	long[] latencies(int batch, int calls) {
		long[] nanos = new long[calls];
		try (Caller caller = new Caller(batch, 0)) {
			for (int c = 0; c < calls; c++) {
				long start = System.nanoTime();
				caller.predict();
				nanos[c] = System.nanoTime() - start;
			}
		}
		catch (TranslateException ex) {
			throw new IllegalStateException(ex);
		}
		return nanos;
	}

	/**
	 * One thread's predict calls: its predictor, its rows and its direct buffer, as a
	 * worker's inference thread has (without the buffer DJL allocates and zeroes one for
	 * every call's input).
	 */
	private final class Caller implements AutoCloseable {

		private final Predictor<NDList, NDList> predictor = RawPredict.this.model.newPredictor();

		private final int batch;

		private final float[] data;

		private final ByteBuffer buffer;

		Caller(int batch, int seed) {
			this.batch = batch;
			this.data = new float[batch * RawPredict.this.inputs];
			for (int i = 0; i < this.data.length; i++) {
				this.data[i] = (i * 7 + seed) % 10;
			}
			this.buffer = ByteBuffer.allocateDirect(this.data.length * Float.BYTES).order(ByteOrder.nativeOrder());
		}

		/** One call: the input copied in, predicted, every output read back. */
		void predict() throws TranslateException {
			try (NDManager manager = NDManager.newBaseManager("TensorFlow")) {
				this.buffer.clear();
				this.buffer.asFloatBuffer().put(this.data);
				NDArray input = manager.create(this.buffer, new Shape(this.batch, RawPredict.this.inputs),
						DataType.FLOAT32);
				input.setName("features");
				NDList out = this.predictor.predict(new NDList(input));
				for (NDArray array : out) {
					array.toArray();
				}
			}
		}

		@Override
		public void close() {
			this.predictor.close();
		}

	}

	@Override
	public void close() {
		this.model.close();
	}

}
