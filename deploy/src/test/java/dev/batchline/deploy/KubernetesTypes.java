package dev.batchline.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Checks Kubernetes objects against the types generated from the Kubernetes API's OpenAPI
 * document ({@code kubernetes-models}) and from KEDA's and the Gateway API's CRD schemas
 * ({@code @kubernetes-models/keda}, {@code @kubernetes-models/gateway-api}), with the
 * TypeScript compiler: each object becomes an object literal of its kind's type, so a
 * field the schema does not have, a required field missing, a wrong type or a value
 * outside an enum is a compile error. The packages are installed by the build
 * ({@code npm ci} in {@code target/schema-check}).
 */
final class KubernetesTypes {

	private static final Path DIRECTORY = Path.of(System.getProperty("batchline.schema-check", "target/schema-check"));

	/** The npm packages of the API groups that are not Kubernetes' own. */
	private static final Map<String, String> CUSTOM_GROUPS = Map.of("keda.sh", "@kubernetes-models/keda",
			"gateway.networking.k8s.io", "@kubernetes-models/gateway-api");

	private static final Pattern ERROR = Pattern.compile("^[^(]+\\((\\d+),\\d+\\): error (TS\\d+: .*)$");

	private static final JsonMapper JSON = new JsonMapper();

	private KubernetesTypes() {
	}

	/**
	 * Checks the objects.
	 * @param objects Kubernetes objects
	 * @return the problems, each naming its object; empty when every object is valid
	 */
	static List<String> problems(List<JsonNode> objects) {
		List<String> lines = new ArrayList<>();
		List<String> names = new ArrayList<>();
		for (int i = 0; i < objects.size(); i++) {
			JsonNode object = objects.get(i);
			String apiVersion = object.path("apiVersion").asString();
			String kind = object.path("kind").asString();
			names.add(kind + "/" + object.path("metadata").path("name").asString());
			lines.add("import type { I" + kind + " as T" + i + " } from \"" + module(apiVersion, kind) + "\";");
		}
		int first = lines.size() + 1;
		for (int i = 0; i < objects.size(); i++) {
			// one object per line: a compiler error's line names its object
			lines.add("export const o" + i + ": T" + i + " = " + JSON.writeValueAsString(objects.get(i)) + ";");
		}
		try {
			Path source = Files.createTempFile(DIRECTORY, "manifests-", ".ts");
			Files.write(source, lines, StandardCharsets.UTF_8);
			Process tsc = new ProcessBuilder("node", "node_modules/typescript/bin/tsc", "--noEmit", "--strict",
					"--skipLibCheck", "--module", "nodenext", "--moduleResolution", "nodenext", "--target", "es2022",
					source.getFileName().toString())
				.directory(DIRECTORY.toFile())
				.redirectErrorStream(true)
				.start();
			String output = new String(tsc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (!tsc.waitFor(2, TimeUnit.MINUTES)) {
				tsc.destroyForcibly();
				throw new IllegalStateException("tsc did not finish in 2 minutes");
			}
			Files.delete(source);
			List<String> problems = new ArrayList<>();
			for (String line : output.lines().toList()) {
				Matcher error = ERROR.matcher(line);
				if (error.matches()) {
					int index = Integer.parseInt(error.group(1)) - first;
					String name = (index >= 0 && index < names.size()) ? names.get(index) : "imports";
					problems.add(name + ": " + error.group(2));
				}
				else if (!line.isBlank() && !line.startsWith(" ")) {
					problems.add(line);
				}
			}
			if (tsc.exitValue() != 0 && problems.isEmpty()) {
				problems.add("tsc failed: " + output);
			}
			return problems;
		}
		catch (IOException ex) {
			throw new IllegalStateException("Could not run the TypeScript compiler in " + DIRECTORY
					+ " (node and the npm packages are installed by the build: ./mvnw -pl deploy verify)", ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static String module(String apiVersion, String kind) {
		int slash = apiVersion.indexOf('/');
		if (slash < 0) {
			return "kubernetes-models/" + apiVersion + "/" + kind;
		}
		String group = apiVersion.substring(0, slash);
		String custom = CUSTOM_GROUPS.get(group);
		return ((custom != null) ? custom + "/" : "kubernetes-models/") + apiVersion + "/" + kind;
	}

}
