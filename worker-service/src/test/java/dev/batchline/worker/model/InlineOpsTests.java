package dev.batchline.worker.model;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.translate.TranslateException;
import dev.batchline.engine.IrisData;
import dev.batchline.worker.system.WorkerPropertiesFixtures;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The worker's inline-ops setting reaches the model's session: with it, the calling
 * thread itself does the work of a predict call; with TensorFlow's own pool it mostly
 * waits for it.
 */
class InlineOpsTests {

	@Test
	void withInlineOpsTheCallerDoesTheWorkOfItsPredictCalls() throws Exception {
		// measured here: 0.67 and 0.15 of the calls' wall time; a busy machine lowers
		// both shares alike, so their ratio is what is checked
		double own = callerShare(true);
		double pool = callerShare(false);
		assertThat(own).isGreaterThan(2.5 * pool);
	}

	/**
	 * The calling thread's CPU time over the wall time of predict calls on the Iris
	 * model, loaded through the worker's repository with inline ops or not.
	 */
	private static double callerShare(boolean inlineOps) throws TranslateException {
		ModelRepository repository = new ModelRepository(WorkerPropertiesFixtures.withBatch(256, inlineOps));
		try {
			ServedModel iris = repository.find("iris", null).orElseThrow();
			Predictor<NDList, NDList> predictor = iris.predictor();
			float[][] rows = new float[4096][4];
			for (int i = 0; i < rows.length; i++) {
				rows[i] = IrisData.rows().get(i % 150).features();
			}
			ThreadMXBean bean = ManagementFactory.getThreadMXBean();
			long cpu = 0;
			long wall = 0;
			for (int call = 0; call < 300; call++) {
				try (NDManager manager = NDManager.newBaseManager("TensorFlow")) {
					NDArray input = manager.create(rows);
					input.setName("features");
					NDList in = new NDList(input);
					long cpuStart = bean.getCurrentThreadCpuTime();
					long wallStart = System.nanoTime();
					predictor.predict(in);
					if (call >= 50) {
						cpu += bean.getCurrentThreadCpuTime() - cpuStart;
						wall += System.nanoTime() - wallStart;
					}
				}
			}
			return (double) cpu / wall;
		}
		finally {
			repository.destroy();
		}
	}

}
