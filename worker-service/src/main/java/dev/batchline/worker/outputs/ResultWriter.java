package dev.batchline.worker.outputs;

import java.io.ByteArrayOutputStream;

import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.ItemResult;
import tools.jackson.core.JsonGenerator;

/**
 * Writes one item's result, {@code {"index": …, "output": {name: value, …}}}, as
 * {@link ItemResult} would be written, straight from the output arrays and with one
 * generator for all the batches of a predict: no tree per item.
 */
public final class ResultWriter implements AutoCloseable {

	private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(1024);

	private final JsonGenerator json = EventCodec.mapper()
		.writer()
		.withRootValueSeparator((String) null)
		.createGenerator(this.buffer);

	/**
	 * Row {@code b}'s result.
	 * @param index the item's job-wide index
	 * @param outputs the batch's outputs
	 * @param b the row within the batch
	 * @return the result as JSON
	 */
	public byte[] success(long index, Outputs outputs, int b) {
		this.buffer.reset();
		this.json.writeStartObject();
		this.json.writeNumberProperty("index", index);
		this.json.writeName("output");
		this.json.writeStartObject();
		for (int o = 0; o < outputs.size(); o++) {
			this.json.writeName(outputs.name(o));
			outputs.write(this.json, o, b);
		}
		this.json.writeEndObject();
		this.json.writeEndObject();
		this.json.flush();
		return this.buffer.toByteArray();
	}

	@Override
	public void close() {
		this.json.close();
	}

}
