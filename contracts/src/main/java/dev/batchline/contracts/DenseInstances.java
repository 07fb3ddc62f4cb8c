package dev.batchline.contracts;

import java.util.Arrays;
import java.util.List;

import dev.batchline.contracts.ModelDeployed.ModelSignature;
import dev.batchline.contracts.ModelDeployed.TensorSpec;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * Items read token by token, with no tree per item, when each is a bare rectangular array
 * of numbers and all have one shape: what nearly every job sends. The numbers go into one
 * {@code double[]} in row-major order, and {@link #fits} says whether they are a valid
 * input of a model; items that are not read densely, or do not fit, are left to the trees
 * and {@link InstanceValidator}, which gives the same verdict with its messages. The API
 * checks NDJSON lines with it, and the workers read chunks with it.
 */
public final class DenseInstances {

	/** Deepest nesting read densely. */
	private static final int MAX_RANK = 8;

	/** The largest integer a double holds exactly. */
	private static final double EXACT_INTEGER = 1L << 53;

	/** The length at each depth, -1 until seen. */
	private final int[] lengths = new int[MAX_RANK];

	/** The depth of the numbers, -1 until the first number. */
	private int rank = -1;

	private double[] values;

	private int size;

	private int count;

	private boolean integral = true;

	private JsonParser parser;

	/** An empty collection, for about {@code capacity} numbers. */
	public DenseInstances(int capacity) {
		this.values = new double[Math.max(16, capacity)];
		Arrays.fill(this.lengths, -1);
	}

	/**
	 * Reads one item, starting at its first token.
	 * @param parser the parser, at the item's first token
	 * @param first that token
	 * @return false when the item is not a rectangular array of numbers of the shape of
	 * the items before it; the parser is then somewhere within the item, and this
	 * collection holds a partial item until {@link #clear()}
	 */
	public boolean read(JsonParser parser, JsonToken first) {
		this.parser = parser;
		if (!value(first, 0)) {
			return false;
		}
		this.count++;
		return true;
	}

	/**
	 * Reads an array of items densely, e.g. a chunk's {@code instances}.
	 * @param parser the parser, at the array's first token
	 * @param start that token
	 * @param capacity about how many numbers to expect
	 * @return the items, or null when the value is not a non-empty array of items that
	 * read densely (the parser is then somewhere within it)
	 */
	public static DenseInstances readArray(JsonParser parser, JsonToken start, int capacity) {
		if (start != JsonToken.START_ARRAY) {
			return null;
		}
		DenseInstances items = new DenseInstances(capacity);
		for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
			if (!items.read(parser, token)) {
				return null;
			}
		}
		return (items.count() > 0) ? items : null;
	}

	/**
	 * Reads a JSON text that is an array of items densely.
	 * @param json the UTF-8 text
	 * @param capacity about how many numbers to expect
	 * @return the items, or null when the text is not a non-empty array of items that
	 * read densely, or not JSON
	 */
	public static DenseInstances readArray(byte[] json, int capacity) {
		try (JsonParser parser = EventCodec.parser(json, 0, json.length)) {
			DenseInstances items = readArray(parser, parser.nextToken(), capacity);
			return (items != null && parser.nextToken() == null) ? items : null;
		}
		catch (RuntimeException ex) {
			// not JSON: the tree reader says what is wrong with it
			return null;
		}
	}

	/** Forgets every item (and their shape). */
	public void clear() {
		Arrays.fill(this.lengths, -1);
		this.rank = -1;
		this.size = 0;
		this.count = 0;
		this.integral = true;
	}

	private boolean value(JsonToken token, int depth) {
		if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
			if (this.rank < 0) {
				this.rank = depth;
			}
			else if (this.rank != depth) {
				return false;
			}
			if (this.size == this.values.length) {
				this.values = Arrays.copyOf(this.values, this.values.length * 2);
			}
			this.values[this.size++] = this.parser.getDoubleValue();
			this.integral &= token == JsonToken.VALUE_NUMBER_INT;
			return true;
		}
		if (token != JsonToken.START_ARRAY || depth >= MAX_RANK || (this.rank >= 0 && depth >= this.rank)) {
			return false;
		}
		int length = 0;
		JsonToken element;
		while ((element = this.parser.nextToken()) != JsonToken.END_ARRAY) {
			if (!value(element, depth + 1)) {
				return false;
			}
			length++;
		}
		if (length == 0 || (this.lengths[depth] >= 0 && this.lengths[depth] != length)) {
			return false;
		}
		this.lengths[depth] = length;
		return true;
	}

	/** The number of items read. */
	public int count() {
		return this.count;
	}

	/** Each item's shape (empty for scalar items). */
	public int[] shape() {
		return Arrays.copyOf(this.lengths, Math.max(this.rank, 0));
	}

	/** Numbers per item. */
	public int perItem() {
		int perItem = 1;
		for (int d = 0; d < this.rank; d++) {
			perItem *= this.lengths[d];
		}
		return perItem;
	}

	/** The numbers, {@link #count()} × {@link #perItem()} of them, row-major. */
	public double[] values() {
		return this.values;
	}

	/**
	 * Whether the items are valid inputs of a model just as they are: one input, of a
	 * numeric type every number fits, and the item shape of the input. When this says
	 * yes, {@link InstanceValidator} accepts every item too.
	 * @param signature the model's signature
	 * @return whether the items fit
	 */
	public boolean fits(ModelSignature signature) {
		if (signature.inputs().size() != 1 || this.count == 0) {
			return false;
		}
		TensorSpec spec = signature.inputs().get(0);
		List<Long> shape = spec.shape();
		int rank = Math.max(this.rank, 0);
		if (shape.isEmpty() || shape.size() - 1 != rank) {
			return false;
		}
		for (int d = 0; d < rank; d++) {
			long expected = shape.get(d + 1);
			if (expected >= 0 && expected != this.lengths[d]) {
				return false;
			}
		}
		return switch (spec.dtype()) {
			case "float32" -> within(Float.MAX_VALUE);
			case "float64" -> within(Double.MAX_VALUE);
			case "int32" -> this.integral && within(Integer.MAX_VALUE) && atLeast(Integer.MIN_VALUE);
			case "int64" -> this.integral && within(EXACT_INTEGER);
			default -> false;
		};
	}

	/**
	 * Whether one item's JSON text is, for certain, a valid input of a model: a flat
	 * array of plain decimal numbers (no exponent) of the input's length, each within the
	 * input's type by its digits alone, for a model with one input of item rank 1 and
	 * type {@code float32}, {@code float64}, {@code int32} or {@code int64}. A byte scan:
	 * no parser, no number converted. False means "not certain" (the text may still be
	 * valid; read it with a parser then), never "invalid".
	 * @param text the UTF-8 bytes
	 * @param offset where the item starts
	 * @param length its length
	 * @param signature the model's signature
	 * @return whether the item is certainly valid
	 */
	public static boolean certainlyFits(byte[] text, int offset, int length, ModelSignature signature) {
		if (signature.inputs().size() != 1) {
			return false;
		}
		TensorSpec spec = signature.inputs().get(0);
		if (spec.shape().size() != 2) {
			return false;
		}
		long expected = spec.shape().get(1);
		boolean integers;
		int maxIntegerDigits;
		switch (spec.dtype()) {
			// every number below 10^38 is within float32 (3.4 × 10^38); below 10^9 within
			// int32, below 10^18 within int64
			case "float32", "float64" -> {
				integers = false;
				maxIntegerDigits = 38;
			}
			case "int32" -> {
				integers = true;
				maxIntegerDigits = 9;
			}
			case "int64" -> {
				integers = true;
				maxIntegerDigits = 18;
			}
			default -> {
				return false;
			}
		}
		int at = skipBlanks(text, offset, offset + length);
		int end = offset + length;
		if (at == end || text[at++] != '[') {
			return false;
		}
		long count = 0;
		while (true) {
			at = skipBlanks(text, at, end);
			// a number: -?(0|[1-9][0-9]*)(\.[0-9]+)?
			if (at < end && text[at] == '-') {
				at++;
			}
			int digits = 0;
			if (at < end && text[at] == '0') {
				at++;
				digits = 1;
			}
			else {
				while (at < end && text[at] >= '0' && text[at] <= '9') {
					at++;
					digits++;
				}
			}
			if (digits == 0 || digits > maxIntegerDigits) {
				return false;
			}
			if (at < end && text[at] == '.') {
				if (integers) {
					return false;
				}
				at++;
				int fraction = 0;
				while (at < end && text[at] >= '0' && text[at] <= '9') {
					at++;
					fraction++;
				}
				if (fraction == 0) {
					return false;
				}
			}
			count++;
			at = skipBlanks(text, at, end);
			if (at == end) {
				return false;
			}
			byte next = text[at++];
			if (next == ']') {
				break;
			}
			if (next != ',') {
				return false;
			}
		}
		return skipBlanks(text, at, end) == end && (expected < 0 || count == expected);
	}

	private static int skipBlanks(byte[] text, int from, int end) {
		int at = from;
		while (at < end && (text[at] == ' ' || text[at] == '\t' || text[at] == '\r' || text[at] == '\n')) {
			at++;
		}
		return at;
	}

	private boolean within(double max) {
		for (int i = 0; i < this.size; i++) {
			if (!(Math.abs(this.values[i]) <= max)) {
				return false;
			}
		}
		return true;
	}

	private boolean atLeast(double min) {
		for (int i = 0; i < this.size; i++) {
			if (this.values[i] < min) {
				return false;
			}
		}
		return true;
	}

}
