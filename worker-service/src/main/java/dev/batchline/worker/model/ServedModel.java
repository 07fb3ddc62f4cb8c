package dev.batchline.worker.model;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import ai.djl.Device;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.repository.zoo.ZooModel;
import dev.batchline.contracts.ModelDeployed.ModelSignature;

/**
 * A loaded model version. DJL predictors are not thread-safe, so each inference thread
 * gets a predictor of its own ({@link #predictor()}); the model keeps them all, to close
 * them with itself.
 *
 * @param name the model name
 * @param version the version
 * @param signature its serving signature
 * @param inputOrder the input names in the order DJL expects them
 * @param model the DJL model
 * @param loadedAt when it was loaded
 * @param fingerprint the SHA-256 of its files ({@link ModelFingerprint})
 * @param predictors every predictor made for it
 * @param perThread each thread's predictor
 */
public record ServedModel(String name, String version, ModelSignature signature, List<String> inputOrder,
		ZooModel<NDList, NDList> model, Instant loadedAt, String fingerprint,
		List<Predictor<NDList, NDList>> predictors, ThreadLocal<Predictor<NDList, NDList>> perThread) {

	/** A model just loaded, with no predictor yet. */
	static ServedModel loaded(String name, String version, ModelSignature signature, List<String> inputOrder,
			ZooModel<NDList, NDList> model, String fingerprint) {
		return new ServedModel(name, version, signature, inputOrder, model, Instant.now(), fingerprint,
				Collections.synchronizedList(new ArrayList<>()), new ThreadLocal<>());
	}

	/**
	 * The device the model runs on, the configured one ({@code batchline.worker.device}):
	 * its inputs are made there too.
	 */
	public Device device() {
		return this.model.getNDManager().getDevice();
	}

	/** This thread's predictor for the model. */
	public Predictor<NDList, NDList> predictor() {
		Predictor<NDList, NDList> predictor = this.perThread.get();
		if (predictor == null) {
			predictor = this.model.newPredictor();
			this.predictors.add(predictor);
			this.perThread.set(predictor);
		}
		return predictor;
	}

	/** Closes every predictor made for the model, and the model. */
	void close() {
		this.predictors.forEach(Predictor::close);
		this.model.close();
	}

}
