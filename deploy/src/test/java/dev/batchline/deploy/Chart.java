package dev.batchline.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The Helm chart in {@code deploy/helm/batchline}, rendered by Helm's own library
 * (helm-java) as {@code helm template} would, and read back as one JSON tree per object.
 */
final class Chart {

	static final Path DEPLOY = Path.of(System.getProperty("batchline.deploy", "."));

	static final Path DIRECTORY = DEPLOY.resolve("helm/batchline");

	static final String RELEASE = "batchline";

	static final String NAMESPACE = "batchline";

	private static final YAMLMapper YAML = new YAMLMapper();

	private Chart() {
	}

	/**
	 * Renders the chart and keeps the result in {@code target/rendered/<name>.yaml}.
	 * @param name the rendering's name
	 * @param values values files of the chart's folder, in order (e.g.
	 * {@code values-gpu.yaml})
	 * @param sets values set as with {@code --set}
	 * @return every object rendered
	 */
	static List<JsonNode> render(String name, List<String> values, Map<String, Object> sets) {
		TemplateCommand template = new Helm(DIRECTORY).template().withName(RELEASE).withNamespace(NAMESPACE);
		for (String file : values) {
			template.withValuesFile(DIRECTORY.resolve(file));
		}
		sets.forEach(template::set);
		String rendered = template.call();
		try {
			Path kept = DEPLOY.resolve("target/rendered/" + name + ".yaml");
			Files.createDirectories(kept.getParent());
			Files.writeString(kept, rendered);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return read(rendered);
	}

	/** Every object of a multi-document YAML text, empty documents left out. */
	static List<JsonNode> read(String yaml) {
		List<JsonNode> objects = new ArrayList<>();
		try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(yaml)) {
			while (documents.hasNext()) {
				JsonNode document = documents.next();
				if (document != null && document.isObject() && !document.isEmpty()) {
					objects.add(document);
				}
			}
		}
		return objects;
	}

	/** The one object of that kind and name. */
	static JsonNode find(List<JsonNode> objects, String kind, String name) {
		return objects.stream()
			.filter((object) -> kind.equals(object.path("kind").asString())
					&& name.equals(object.path("metadata").path("name").asString()))
			.findFirst()
			.orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in " + names(objects)));
	}

	static List<String> names(List<JsonNode> objects) {
		return objects.stream()
			.map((object) -> object.path("kind").asString() + "/" + object.path("metadata").path("name").asString())
			.toList();
	}

}
