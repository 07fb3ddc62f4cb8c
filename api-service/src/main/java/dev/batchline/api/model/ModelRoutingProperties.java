package dev.batchline.api.model;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Version labels and weighted splits of the models ({@code batchline.api.models.*}, e.g.
 * {@code batchline.api.models.iris.labels.canary=2},
 * {@code batchline.api.models.iris.split.canary=10}). A model without settings here is
 * routed to its newest served version. Checked at start: a bad setting stops the service
 * with a message naming it.
 *
 * @param models the settings of each model, by model name
 */
@ConfigurationProperties("batchline.api")
public record ModelRoutingProperties(Map<String, Routing> models) {

	/** A label starts with a letter, so that it is never taken for a numeric version. */
	private static final Pattern LABEL = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]{0,62}");

	private static final Pattern NUMERIC_VERSION = Pattern.compile("\\d{1,18}");

	public ModelRoutingProperties {
		Map<String, Routing> checked = new TreeMap<>();
		if (models != null) {
			models.forEach((name, routing) -> checked.put(name,
					(routing != null) ? routing.checked(name) : new Routing(Map.of(), Map.of())));
		}
		models = Collections.unmodifiableMap(checked);
	}

	/** The settings of a model; none when it has none. */
	public Routing routing(String model) {
		return this.models.getOrDefault(model, Routing.NONE);
	}

	/**
	 * The labels and split of one model.
	 *
	 * @param labels version labels: label → version (like TensorFlow Serving's
	 * {@code version_labels}); a label starts with a letter
	 * @param split the weights of the labels or numeric versions that share the requests
	 * naming only the model; empty: the newest served version takes them all
	 */
	public record Routing(Map<String, String> labels, Map<String, Integer> split) {

		static final Routing NONE = new Routing(Map.of(), Map.of());

		public Routing {
			// sorted, so that the split's order (and the answers' JSON) is stable
			labels = Collections.unmodifiableMap(new TreeMap<>((labels != null) ? labels : Map.of()));
			split = Collections.unmodifiableMap(new TreeMap<>((split != null) ? split : Map.of()));
		}

		/** Whether requests naming only the model are split. */
		public boolean hasSplit() {
			return !this.split.isEmpty();
		}

		private Routing checked(String model) {
			String at = "batchline.api.models." + model;
			this.labels.forEach((label, version) -> {
				if (!LABEL.matcher(label).matches()) {
					throw new IllegalArgumentException(at + ".labels." + label + ": a label starts with a letter and "
							+ "has at most 63 letters, digits, '_', '.' or '-'");
				}
				if (version == null || version.isBlank()) {
					throw new IllegalArgumentException(at + ".labels." + label + ": names no version");
				}
			});
			long total = 0;
			for (Map.Entry<String, Integer> share : this.split.entrySet()) {
				String key = share.getKey();
				if (!this.labels.containsKey(key) && !NUMERIC_VERSION.matcher(key).matches()) {
					throw new IllegalArgumentException(
							at + ".split." + key + ": '" + key + "' is neither a label of model '" + model
									+ "' (labels: " + this.labels.keySet() + ") nor a numeric version");
				}
				if (share.getValue() == null || share.getValue() < 0) {
					throw new IllegalArgumentException(
							at + ".split." + key + ": a weight is 0 or more, got " + share.getValue());
				}
				total += share.getValue();
			}
			if (!this.split.isEmpty() && total == 0) {
				throw new IllegalArgumentException(at + ".split: the weights add up to 0; give one a weight above 0");
			}
			return this;
		}

	}

}
