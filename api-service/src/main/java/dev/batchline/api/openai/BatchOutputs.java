package dev.batchline.api.openai;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.batchline.api.job.JobManagement;
import dev.batchline.api.oip.OipTensors;
import dev.batchline.api.tfserving.TfServingBodies;
import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.ItemError;
import dev.batchline.contracts.ItemResult;
import dev.batchline.contracts.ModelDeployed.ModelSignature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.stereotype.Component;

/**
 * A batch's output and error files, written from its job's results as JSONL in OpenAI's
 * shape, one line per request, keyed by its {@code custom_id}: a result is the answer the
 * request's endpoint would have given ({@code response.body}, status 200); an item the
 * model refused is that endpoint's error answer ({@code {"error": "…"}}, 400 for an input
 * it cannot take, 500 for a failed prediction); an item that never reached a model
 * ({@code error}) has no response. Results are read one chunk at a time.
 */
@Component
class BatchOutputs {

	private final JobManagement jobs;

	BatchOutputs(JobManagement jobs) {
		this.jobs = jobs;
	}

	/**
	 * What a batch's results need to be written.
	 *
	 * @param id the batch's id
	 * @param endpoint its endpoint
	 * @param version the model version that ran its job
	 * @param signature that version's signature
	 * @param ended whether its job has ended (its files no longer grow)
	 */
	record Source(String id, UUID tenantId, UUID jobId, BatchEndpoint endpoint, String version,
			ModelSignature signature, boolean ended) {
	}

	/** Writes the output file (successes) or the error file (failures) of a batch. */
	void write(Source batch, boolean errors, OutputStream out) throws IOException {
		this.jobs.eachResult(batch.tenantId(), batch.jobId(), errors, (item) -> {
			if (item.hasNonNull("error") == errors) {
				out.write(EventCodec.encode(line(batch, item)));
				out.write('\n');
			}
		});
	}

	/** The bytes of a batch's output or error file. */
	long size(Source batch, boolean errors) throws IOException {
		CountingStream counter = new CountingStream();
		write(batch, errors, counter);
		return counter.count;
	}

	private static ObjectNode line(Source batch, JsonNode item) {
		long index = item.get("index").asLong();
		ObjectNode line = EventCodec.mapper().createObjectNode();
		line.put("id", "batch_req_" + batch.id().substring("batch_".length()) + "_" + index);
		line.set("custom_id", item.get("custom_id"));
		JsonNode error = item.get("error");
		if (error == null || error.isNull()) {
			response(line, batch, index, 200, body(batch, index, item.get("output")));
			line.putNull("error");
			return line;
		}
		String code = error.path("code").asString("");
		String message = error.path("message").asString("");
		Integer status = switch (code) {
			case ItemError.BAD_SHAPE, ItemError.BAD_VALUE -> 400;
			case ItemError.MODEL_ERROR -> 500;
			default -> null;
		};
		if (status != null) {
			response(line, batch, index, status, EventCodec.mapper().valueToTree(Map.of("error", message)));
			line.putNull("error");
		}
		else {
			line.putNull("response");
			line.putObject("error").put("code", code).put("message", message);
		}
		return line;
	}

	private static void response(ObjectNode line, Source batch, long index, int status, JsonNode body) {
		ObjectNode response = line.putObject("response");
		response.put("status_code", status);
		response.put("request_id", batch.jobId() + ":" + index);
		response.set("body", body);
	}

	/** The endpoint's answer to a request of one row. */
	private static JsonNode body(Source batch, long index, JsonNode output) {
		return switch (batch.endpoint().protocol()) {
			case TF_SERVING -> TfServingBodies.answer(true, List.of(output), batch.signature());
			case OPEN_INFERENCE -> {
				ObjectNode answer = EventCodec.mapper().createObjectNode();
				answer.put("model_name", batch.endpoint().model());
				answer.put("model_version", batch.version());
				answer.set("outputs",
						OipTensors.outputs(List.of(ItemResult.success(index, output)), batch.signature(), null));
				yield answer;
			}
		};
	}

	private static final class CountingStream extends OutputStream {

		private long count;

		@Override
		public void write(int b) {
			this.count++;
		}

		@Override
		public void write(byte[] bytes, int offset, int length) {
			this.count += length;
		}

	}

}
