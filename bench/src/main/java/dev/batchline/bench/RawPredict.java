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
 * The limit of scenario 1: DJL predict on the same SavedModel, in this JVM, with the same
 * batch size, thread count and inline-ops setting as the workers, each call copying its
 * input from a float array into a direct buffer of its thread, making the input NDArray
 * from it and reading its outputs back, as a worker must at the least (a worker copies
 * the rows of its chunks into such a buffer).
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
			float[] data = new float[batch * this.inputs];
			for (int i = 0; i < data.length; i++) {
				data[i] = (i * 7 + thread) % 10;
			}
			// one direct buffer per thread, as a worker's inference thread has: without
			// it
			// DJL allocates and zeroes a direct buffer for every call's input
			ByteBuffer buffer = ByteBuffer.allocateDirect(data.length * Float.BYTES).order(ByteOrder.nativeOrder());
			running.add(Thread.ofPlatform().name("raw-predict-" + t).start(() -> {
				long start = System.nanoTime();
				try (Predictor<NDList, NDList> predictor = this.model.newPredictor()) {
					while (System.nanoTime() < end) {
						try (NDManager manager = NDManager.newBaseManager("TensorFlow")) {
							buffer.clear();
							buffer.asFloatBuffer().put(data);
							NDArray input = manager.create(buffer, new Shape(batch, this.inputs), DataType.FLOAT32);
							input.setName("features");
							NDList out = predictor.predict(new NDList(input));
							for (NDArray array : out) {
								array.toArray();
							}
						}
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

	@Override
	public void close() {
		this.model.close();
	}

}
