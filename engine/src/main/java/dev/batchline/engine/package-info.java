/**
 * TensorFlow through DJL, shared by the worker and the bench: finding or unpacking
 * TensorFlow's native libraries ({@link dev.batchline.engine.TensorflowNatives}), running
 * a predict call's operations on the calling thread
 * ({@link dev.batchline.engine.InlineOps}), exporting a frozen SavedModel
 * ({@link dev.batchline.engine.FrozenSavedModel}) and training the bundled Iris model
 * ({@link dev.batchline.engine.IrisModelTrainer}). The bench measures DJL with exactly
 * what the workers use, without reaching into the worker service.
 */
package dev.batchline.engine;
