package dev.batchline.api.oip;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

import com.google.protobuf.ByteString;
import dev.batchline.api.system.ApiException;
import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.grpc.inference.InferTensorContents;
import dev.batchline.contracts.grpc.inference.ModelInferRequest;
import dev.batchline.contracts.grpc.inference.ModelInferRequest.InferInputTensor;
import dev.batchline.contracts.grpc.inference.ModelInferResponse;
import dev.batchline.contracts.grpc.inference.ModelInferResponse.InferOutputTensor;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The Open Inference Protocol's gRPC tensors to and from its REST form ({@code name},
 * {@code datatype}, {@code shape}, flat {@code data}), so that both transports share
 * {@link OipTensors}. Data comes typed ({@code contents}, in the field of its datatype)
 * or raw ({@code raw_input_contents}: little-endian, row-major, {@code BYTES} elements
 * each after a 4-byte length); the answer's outputs come back the way the inputs came.
 */
final class OipGrpcTensors {

	private OipGrpcTensors() {
	}

	/** Whether the request's data is raw: then the answer's is too. */
	static boolean raw(ModelInferRequest request) {
		return request.getRawInputContentsCount() > 0;
	}

	/**
	 * The request's input tensors in REST form.
	 * @throws ApiException {@code bad-request} for data that does not fit its datatype
	 */
	static ArrayNode inputs(ModelInferRequest request) {
		boolean raw = raw(request);
		if (raw && request.getRawInputContentsCount() != request.getInputsCount()) {
			throw ApiException.badRequest("raw_input_contents has " + request.getRawInputContentsCount()
					+ " entries for " + request.getInputsCount() + " inputs: one per input, in their order");
		}
		ArrayNode inputs = EventCodec.mapper().createArrayNode();
		for (int i = 0; i < request.getInputsCount(); i++) {
			InferInputTensor input = request.getInputs(i);
			if (raw && input.hasContents()) {
				throw ApiException.badRequest("input '" + input.getName()
						+ "' has contents although raw_input_contents is used: use one or the other");
			}
			ObjectNode tensor = inputs.addObject();
			tensor.put("name", input.getName());
			tensor.put("datatype", input.getDatatype());
			ArrayNode shape = tensor.putArray("shape");
			input.getShapeList().forEach(shape::add);
			ArrayNode data = tensor.putArray("data");
			if (raw) {
				decode(input.getName(), input.getDatatype(), request.getRawInputContents(i), data);
			}
			else {
				typed(input.getName(), input.getDatatype(), input.getContents(), data);
			}
		}
		return inputs;
	}

	/** The requested outputs in REST form ({@code [{"name": …}]}), or null for all. */
	static ArrayNode requestedOutputs(ModelInferRequest request) {
		if (request.getOutputsCount() == 0) {
			return null;
		}
		ArrayNode requested = EventCodec.mapper().createArrayNode();
		request.getOutputsList().forEach((output) -> requested.addObject().put("name", output.getName()));
		return requested;
	}

	/** Adds the REST form's output tensors to the answer, raw or typed. */
	static void outputs(ArrayNode outputs, boolean raw, ModelInferResponse.Builder answer) {
		for (JsonNode output : outputs) {
			String datatype = output.get("datatype").asString();
			InferOutputTensor.Builder tensor = answer.addOutputsBuilder()
				.setName(output.get("name").asString())
				.setDatatype(datatype);
			output.get("shape").forEach((dim) -> tensor.addShape(dim.asLong()));
			List<JsonNode> data = output.get("data").valueStream().toList();
			if (raw) {
				answer.addRawOutputContents(encode(datatype, data));
			}
			else {
				tensor.setContents(contents(datatype, data));
			}
		}
	}

	private static void typed(String name, String datatype, InferTensorContents contents, ArrayNode data) {
		switch (datatype) {
			case "BOOL" -> contents.getBoolContentsList().forEach(data::add);
			case "INT8", "INT16", "INT32" -> contents.getIntContentsList().forEach(data::add);
			case "INT64" -> contents.getInt64ContentsList().forEach(data::add);
			case "UINT8", "UINT16", "UINT32" ->
				contents.getUintContentsList().forEach((value) -> data.add(Integer.toUnsignedLong(value)));
			case "UINT64" -> contents.getUint64ContentsList()
				.forEach((value) -> data.add(new BigInteger(Long.toUnsignedString(value))));
			case "FP32" -> contents.getFp32ContentsList().forEach(data::add);
			case "FP64" -> contents.getFp64ContentsList().forEach(data::add);
			case "BYTES" -> contents.getBytesContentsList().forEach((value) -> data.add(value.toStringUtf8()));
			default -> throw ApiException.badRequest("input '" + name + "' has datatype " + datatype
					+ ", which has no typed contents: send it in raw_input_contents");
		}
	}

	private static void decode(String name, String datatype, ByteString bytes, ArrayNode data) {
		ByteBuffer buffer = bytes.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
		if (datatype.equals("BYTES")) {
			while (buffer.remaining() >= Integer.BYTES) {
				int length = buffer.getInt();
				if (length < 0 || length > buffer.remaining()) {
					throw ApiException.badRequest("input '" + name + "' has a BYTES element longer than its data");
				}
				byte[] element = new byte[length];
				buffer.get(element);
				data.add(new String(element, StandardCharsets.UTF_8));
			}
			if (buffer.hasRemaining()) {
				throw ApiException.badRequest("input '" + name + "' ends in the middle of a BYTES element's length");
			}
			return;
		}
		int size = size(name, datatype);
		if (buffer.remaining() % size != 0) {
			throw ApiException.badRequest("input '" + name + "' has " + buffer.remaining()
					+ " bytes of raw data, not a whole number of " + datatype + " elements");
		}
		while (buffer.hasRemaining()) {
			switch (datatype) {
				case "BOOL" -> data.add(buffer.get() != 0);
				case "INT8" -> data.add(buffer.get());
				case "UINT8" -> data.add(Byte.toUnsignedInt(buffer.get()));
				case "INT16" -> data.add(buffer.getShort());
				case "UINT16" -> data.add(Short.toUnsignedInt(buffer.getShort()));
				case "INT32" -> data.add(buffer.getInt());
				case "UINT32" -> data.add(Integer.toUnsignedLong(buffer.getInt()));
				case "INT64" -> data.add(buffer.getLong());
				case "UINT64" -> data.add(new BigInteger(Long.toUnsignedString(buffer.getLong())));
				case "FP16" -> data.add(Float.float16ToFloat(buffer.getShort()));
				case "BF16" -> data.add(Float.intBitsToFloat(buffer.getShort() << 16));
				case "FP32" -> data.add(buffer.getFloat());
				default -> data.add(buffer.getDouble());
			}
		}
	}

	private static int size(String name, String datatype) {
		return switch (datatype) {
			case "BOOL", "INT8", "UINT8" -> 1;
			case "INT16", "UINT16", "FP16", "BF16" -> 2;
			case "INT32", "UINT32", "FP32" -> 4;
			case "INT64", "UINT64", "FP64" -> 8;
			default ->
				throw ApiException.badRequest("input '" + name + "' has the unknown datatype '" + datatype + "'");
		};
	}

	private static InferTensorContents contents(String datatype, List<JsonNode> data) {
		InferTensorContents.Builder contents = InferTensorContents.newBuilder();
		for (JsonNode value : data) {
			switch (datatype) {
				case "BOOL" -> contents.addBoolContents(value.asBoolean());
				case "INT8", "INT16", "INT32" -> contents.addIntContents(value.asInt());
				case "INT64" -> contents.addInt64Contents(value.asLong());
				case "UINT8", "UINT16", "UINT32" -> contents.addUintContents((int) value.asLong());
				case "UINT64" -> contents.addUint64Contents(value.bigIntegerValue().longValue());
				case "FP32", "FP16", "BF16" -> contents.addFp32Contents(value.floatValue());
				case "FP64" -> contents.addFp64Contents(value.asDouble());
				default -> contents.addBytesContents(ByteString.copyFromUtf8(value.asString()));
			}
		}
		return contents.build();
	}

	private static ByteString encode(String datatype, List<JsonNode> data) {
		if (datatype.equals("BYTES")) {
			ByteString.Output out = ByteString.newOutput();
			for (JsonNode value : data) {
				byte[] element = value.asString().getBytes(StandardCharsets.UTF_8);
				out.write(ByteBuffer.allocate(Integer.BYTES)
					.order(ByteOrder.LITTLE_ENDIAN)
					.putInt(element.length)
					.array(), 0, Integer.BYTES);
				out.write(element, 0, element.length);
			}
			return out.toByteString();
		}
		ByteBuffer buffer = ByteBuffer.allocate(size("output", datatype) * data.size()).order(ByteOrder.LITTLE_ENDIAN);
		for (JsonNode value : data) {
			switch (datatype) {
				case "BOOL" -> buffer.put((byte) (value.asBoolean() ? 1 : 0));
				case "INT8", "UINT8" -> buffer.put((byte) value.asInt());
				case "INT16", "UINT16" -> buffer.putShort((short) value.asInt());
				case "FP16" -> buffer.putShort(Float.floatToFloat16(value.floatValue()));
				case "BF16" -> buffer.putShort((short) (Float.floatToIntBits(value.floatValue()) >>> 16));
				case "INT32", "UINT32" -> buffer.putInt((int) value.asLong());
				case "INT64" -> buffer.putLong(value.asLong());
				case "UINT64" -> buffer.putLong(value.bigIntegerValue().longValue());
				case "FP32" -> buffer.putFloat(value.floatValue());
				default -> buffer.putDouble(value.asDouble());
			}
		}
		return ByteString.copyFrom(buffer.flip());
	}

}
