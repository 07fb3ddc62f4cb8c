package dev.batchline.worker.outputs;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.ItemResult;
import tools.jackson.core.JsonGenerator;

/**
 * Writes one item's result, {@code {"index": …, "output": {name: value, …}}}, as
 * {@link ItemResult} would be written, straight from the output arrays and with one
 * generator for all the batches of a predict: no tree per item.
 */
public final class ResultWriter implements AutoCloseable {

	/** What follows a result's index. */
	private static final String OUTPUT = ",\"output\":";

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

	/**
	 * Another item's result with the same output as a result {@link #success} wrote, as
	 * {@link #success} would write it for that item.
	 * @param index the item's job-wide index
	 * @param output the output, as {@link #output} took it from a result
	 * @return the result as JSON
	 */
	public static byte[] success(long index, byte[] output) {
		byte[] head = ("{\"index\":" + index + OUTPUT).getBytes(StandardCharsets.UTF_8);
		byte[] json = Arrays.copyOf(head, head.length + output.length + 1);
		System.arraycopy(output, 0, json, head.length, output.length);
		json[json.length - 1] = '}';
		return json;
	}

	/**
	 * The output object of a result {@link #success} wrote: what follows its index.
	 * @param success the result
	 * @return the {@code {name: value, …}} object's bytes
	 */
	public static byte[] output(byte[] success) {
		// the index is a number: the first comma ends it
		int comma = 0;
		while (success[comma] != ',') {
			comma++;
		}
		return Arrays.copyOfRange(success, comma + OUTPUT.length(), success.length - 1);
	}

	@Override
	public void close() {
		this.json.close();
	}

}
