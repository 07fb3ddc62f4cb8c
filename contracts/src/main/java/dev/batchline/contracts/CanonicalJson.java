package dev.batchline.contracts;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * A JSON value written so that equal inputs read alike: object members sorted by name,
 * numbers by value ({@code 1}, {@code 1.0} and {@code 1e0} are one number, as a model
 * reads them). The result caches key rows on it, in the api-service and in the workers.
 */
public final class CanonicalJson {

	private CanonicalJson() {
	}

	/** The canonical text of a value. */
	public static String of(JsonNode node) {
		StringBuilder out = new StringBuilder();
		write(node, out);
		return out.toString();
	}

	private static void write(JsonNode node, StringBuilder out) {
		if (node.isObject()) {
			List<Map.Entry<String, JsonNode>> members = new ArrayList<>(node.properties());
			members.sort(Map.Entry.comparingByKey());
			out.append('{');
			for (Map.Entry<String, JsonNode> member : members) {
				out.append(JsonNodeFactory.instance.stringNode(member.getKey()).toString()).append(':');
				write(member.getValue(), out);
				out.append(',');
			}
			out.append('}');
		}
		else if (node.isArray()) {
			out.append('[');
			for (JsonNode element : node) {
				write(element, out);
				out.append(',');
			}
			out.append(']');
		}
		else if (node.isNumber() && (node.isIntegralNumber() || Double.isFinite(node.doubleValue()))) {
			out.append(node.decimalValue().stripTrailingZeros().toPlainString());
		}
		else {
			out.append(node.toString());
		}
	}

}
