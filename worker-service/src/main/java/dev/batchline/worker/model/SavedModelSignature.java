package dev.batchline.worker.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import ai.djl.MalformedModelException;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.batchline.contracts.ModelDeployed.ModelSignature;
import dev.batchline.contracts.ModelDeployed.TensorSpec;
import org.tensorflow.Signature;
import org.tensorflow.proto.framework.DataType;
import org.tensorflow.proto.framework.MetaGraphDef;
import org.tensorflow.proto.framework.SavedModel;
import org.tensorflow.proto.framework.SignatureDef;
import org.tensorflow.proto.framework.TensorInfo;

/**
 * Reads the {@code serving_default} signature (names, element types, shapes) straight
 * from a SavedModel's {@code saved_model.pb}, without loading the model. It tells a file
 * that is not there yet, or still empty (a version being copied into the repository: an
 * {@link IOException}, worth another try), from one that is not a SavedModel with that
 * signature (a {@link MalformedModelException}, which no wait mends).
 */
final class SavedModelSignature {

	/** The file a SavedModel's graph and signatures are in. */
	static final String SAVED_MODEL = "saved_model.pb";

	private SavedModelSignature() {
	}

	/**
	 * The version's serving signature.
	 * @param modelDir the version folder
	 * @return the signature
	 * @throws IOException when {@code saved_model.pb} cannot be read, or is empty
	 * @throws MalformedModelException when it is not a SavedModel with a
	 * {@code serving_default} signature
	 */
	static ModelSignature read(Path modelDir) throws IOException, MalformedModelException {
		Path file = modelDir.resolve(SAVED_MODEL);
		byte[] bytes = Files.readAllBytes(file);
		if (bytes.length == 0) {
			// an empty message is a valid (empty) SavedModel: say what it more likely is
			throw new IOException(file + " is empty (still being written?)");
		}
		SavedModel savedModel;
		try {
			savedModel = SavedModel.parseFrom(bytes);
		}
		catch (InvalidProtocolBufferException ex) {
			throw new MalformedModelException(file + " is not a SavedModel: " + ex.getMessage(), ex);
		}
		for (MetaGraphDef graph : savedModel.getMetaGraphsList()) {
			SignatureDef signature = graph.getSignatureDefMap().get(Signature.DEFAULT_KEY);
			if (signature != null) {
				return new ModelSignature(specs(signature.getInputsMap()), specs(signature.getOutputsMap()));
			}
		}
		throw new MalformedModelException(file + " has no '" + Signature.DEFAULT_KEY + "' signature");
	}

	private static List<TensorSpec> specs(Map<String, TensorInfo> tensors) {
		List<TensorSpec> specs = new ArrayList<>();
		new TreeMap<>(tensors).forEach((name, info) -> {
			List<Long> shape = info.getTensorShape().getDimList().stream().map((dim) -> dim.getSize()).toList();
			specs.add(new TensorSpec(name, dtype(info.getDtype()), shape));
		});
		return specs;
	}

	static String dtype(DataType type) {
		return switch (type) {
			case DT_FLOAT -> "float32";
			case DT_DOUBLE -> "float64";
			case DT_HALF -> "float16";
			case DT_BFLOAT16 -> "bfloat16";
			case DT_INT8 -> "int8";
			case DT_INT16 -> "int16";
			case DT_INT32 -> "int32";
			case DT_INT64 -> "int64";
			case DT_UINT8 -> "uint8";
			case DT_UINT16 -> "uint16";
			case DT_UINT32 -> "uint32";
			case DT_UINT64 -> "uint64";
			case DT_BOOL -> "bool";
			case DT_STRING -> "string";
			default -> type.name().toLowerCase(java.util.Locale.ROOT);
		};
	}

}
