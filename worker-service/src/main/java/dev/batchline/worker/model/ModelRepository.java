package dev.batchline.worker.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDList;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;
import dev.batchline.contracts.ModelDeployed.ModelSignature;
import dev.batchline.engine.InlineOps;
import dev.batchline.engine.TensorflowNatives;
import dev.batchline.worker.system.WorkerProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.stereotype.Component;

/**
 * The models this worker serves, from a repository laid out like TensorFlow Serving's:
 * {@code <root>/<model>/<version>/saved_model.pb}. Every version is loaded once at start;
 * the newest (highest number) is a model's default. Each inference thread gets its own
 * predictor per model (DJL predictors are not thread-safe); all are closed on shutdown.
 */
@Component
public class ModelRepository implements DisposableBean {

	private static final Logger log = LoggerFactory.getLogger(ModelRepository.class);

	private static final String BUNDLED = "model-repository";

	private static final String EXTRACTED_PREFIX = "batchline-models";

	private final Map<String, ServedModel> models = new ConcurrentHashMap<>();

	private final Path root;

	/** Whether {@link #root} is this worker's own copy of the bundled repository. */
	private final boolean extracted;

	public ModelRepository(WorkerProperties properties) {
		TensorflowNatives.ensure((properties.nativesDir() != null && !properties.nativesDir().isBlank())
				? Path.of(properties.nativesDir()) : null);
		Engine.getEngine("TensorFlow");
		boolean configured = properties.modelsRoot() != null && !properties.modelsRoot().isBlank();
		this.root = configured ? Path.of(properties.modelsRoot()) : bundledRepository();
		this.extracted = !configured && this.root.getFileName().toString().startsWith(EXTRACTED_PREFIX);
		Device device = Device.fromName(properties.device());
		boolean inlineOps = properties.inlineOps();
		for (Path versionDir : versionDirs(this.root)) {
			ServedModel model = load(versionDir, device, inlineOps);
			this.models.put(key(model.name(), model.version()), model);
		}
		if (this.models.isEmpty()) {
			throw new IllegalStateException(
					"No SavedModel found under " + this.root + " (expected <root>/<model>/<version>/saved_model.pb)");
		}
	}

	/**
	 * A loaded model version.
	 *
	 * @param name the model name
	 * @param version the version
	 * @param signature its serving signature
	 * @param inputOrder the input names in the order DJL expects them
	 * @param model the DJL model
	 * @param loadedAt when it was loaded
	 */
	public record ServedModel(String name, String version, ModelSignature signature, List<String> inputOrder,
			ZooModel<NDList, NDList> model, Instant loadedAt, List<Predictor<NDList, NDList>> predictors,
			ThreadLocal<Predictor<NDList, NDList>> perThread) {

		/** This thread's predictor for the model. */
		public Predictor<NDList, NDList> predictor() {
			Predictor<NDList, NDList> predictor = this.perThread.get();
			if (predictor == null) {
				predictor = this.model.newPredictor();
				this.predictors.add(predictor);
				this.perThread.set(predictor);
			}
			return predictor;
		}

	}

	/** A served model version; its newest version when {@code version} is null. */
	public Optional<ServedModel> find(String name, String version) {
		if (version != null) {
			return Optional.ofNullable(this.models.get(key(name, version)));
		}
		return this.models.values()
			.stream()
			.filter((model) -> model.name().equals(name))
			.max(Comparator.comparing(ServedModel::version, ModelRepository::compareVersions));
	}

	/** Every served model version. */
	public List<ServedModel> all() {
		return this.models.values()
			.stream()
			.sorted(Comparator.comparing(ServedModel::name)
				.thenComparing(ServedModel::version, ModelRepository::compareVersions))
			.toList();
	}

	@Override
	public void destroy() {
		for (ServedModel model : this.models.values()) {
			model.predictors().forEach(Predictor::close);
			model.model().close();
		}
		this.models.clear();
		if (this.extracted) {
			deleteTree(this.root);
		}
	}

	/** Best effort: a leftover copy in the temporary folder does no harm. */
	private static void deleteTree(Path dir) {
		try (Stream<Path> paths = Files.walk(dir)) {
			for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
				Files.deleteIfExists(path);
			}
		}
		catch (IOException ex) {
			log.debug("Could not delete the extracted model repository {}: {}", dir, ex.toString());
		}
	}

	private static ServedModel load(Path dir, Device device, boolean inlineOps) {
		String name = dir.getParent().getFileName().toString();
		String version = dir.getFileName().toString();
		try {
			ModelSignature signature = SavedModelSignature.read(dir);
			Criteria<NDList, NDList> criteria = InlineOps
				.apply(Criteria.builder()
					.setTypes(NDList.class, NDList.class)
					.optEngine("TensorFlow")
					.optModelPath(dir)
					.optDevice(device)
					.optTranslator(new NoopTranslator(null)), inlineOps)
				.build();
			ZooModel<NDList, NDList> model = criteria.loadModel();
			List<String> inputOrder = (model.describeInput() != null) ? model.describeInput().keys()
					: signature.inputs().stream().map((input) -> input.name()).toList();
			log.info("Model {}:{} loaded from {} on {}{} (inputs {}, outputs {})", name, version, dir, device,
					inlineOps ? ", operations on the calling thread" : "", signature.inputs(), signature.outputs());
			return new ServedModel(name, version, signature, inputOrder, model, Instant.now(),
					Collections.synchronizedList(new ArrayList<>()), new ThreadLocal<>());
		}
		catch (IOException | ModelNotFoundException | MalformedModelException ex) {
			throw new IllegalStateException("Could not load the model at " + dir, ex);
		}
	}

	private static List<Path> versionDirs(Path root) {
		try (Stream<Path> models = Files.list(root)) {
			List<Path> dirs = new ArrayList<>();
			for (Path model : models.filter(Files::isDirectory).sorted().toList()) {
				try (Stream<Path> versions = Files.list(model)) {
					versions.filter((version) -> Files.isRegularFile(version.resolve("saved_model.pb")))
						.sorted()
						.forEach(dirs::add);
				}
			}
			return dirs;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not read the model repository " + root, ex);
		}
	}

	/**
	 * The bundled repository: used in place when it is a folder on disk (tests, IDE),
	 * copied out to a temporary folder when it is inside the service's jar.
	 */
	private static Path bundledRepository() {
		URL url = ModelRepository.class.getClassLoader().getResource(BUNDLED);
		if (url == null) {
			throw new IllegalStateException(
					"No bundled model repository on the classpath: set BATCHLINE_WORKER_MODELS_ROOT");
		}
		if ("file".equals(url.getProtocol())) {
			try {
				return Path.of(url.toURI());
			}
			catch (java.net.URISyntaxException ex) {
				throw new IllegalStateException(ex);
			}
		}
		try {
			Path target = Files.createTempDirectory(EXTRACTED_PREFIX);
			Resource[] resources = new PathMatchingResourcePatternResolver()
				.getResources("classpath*:" + BUNDLED + "/**/*");
			for (Resource resource : resources) {
				String path = resource.getURL().toString();
				String relative = path.substring(path.lastIndexOf(BUNDLED + "/") + BUNDLED.length() + 1);
				if (relative.isEmpty() || relative.endsWith("/") || !resource.isReadable()) {
					continue;
				}
				Path file = target.resolve(relative);
				Files.createDirectories(file.getParent());
				try (InputStream in = resource.getInputStream()) {
					Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
				}
			}
			return target;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not unpack the bundled model repository", ex);
		}
	}

	private static String key(String name, String version) {
		return name + ":" + version;
	}

	/**
	 * Numeric versions compare as numbers (TensorFlow Serving's layout), others as text.
	 */
	static int compareVersions(String a, String b) {
		boolean numeric = a.chars().allMatch(Character::isDigit) && b.chars().allMatch(Character::isDigit);
		return numeric ? new java.math.BigInteger(a).compareTo(new java.math.BigInteger(b)) : a.compareTo(b);
	}

}
