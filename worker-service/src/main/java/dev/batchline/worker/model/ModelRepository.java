package dev.batchline.worker.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import ai.djl.Device;
import ai.djl.engine.Engine;
import dev.batchline.engine.TensorflowNatives;
import dev.batchline.worker.system.WorkerProperties;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * The models this worker serves, from a repository laid out like TensorFlow Serving's:
 * {@code <root>/<model>/<version>/saved_model.pb}. Every version is loaded once at start;
 * the newest (highest number) is a model's default. All are closed on shutdown.
 */
@Component
public class ModelRepository implements DisposableBean {

	private final Map<String, ServedModel> models = new ConcurrentHashMap<>();

	private final Device device;

	private final Path root;

	/** Whether {@link #root} is this worker's own copy of the bundled repository. */
	private final boolean copied;

	public ModelRepository(WorkerProperties properties) {
		TensorflowNatives.ensure((properties.nativesDir() != null && !properties.nativesDir().isBlank())
				? Path.of(properties.nativesDir()) : null);
		Engine engine = Engine.getEngine("TensorFlow");
		this.device = usableDevice(properties.device(), engine.getGpuCount());
		boolean configured = properties.modelsRoot() != null && !properties.modelsRoot().isBlank();
		this.root = configured ? Path.of(properties.modelsRoot()) : BundledModels.folder();
		this.copied = !configured && BundledModels.isCopy(this.root);
		ModelLoader loader = new ModelLoader(this.device, properties.inlineOps());
		for (Path versionDir : versionDirs(this.root)) {
			ServedModel model = loader.load(versionDir);
			this.models.put(key(model.name(), model.version()), model);
		}
		if (this.models.isEmpty()) {
			throw new IllegalStateException(
					"No SavedModel found under " + this.root + " (expected <root>/<model>/<version>/saved_model.pb)");
		}
	}

	/**
	 * The configured device, when TensorFlow can use it: a GPU the engine does not see
	 * (no CUDA runtime, no GPU natives, an index past the last GPU) stops the worker as
	 * it starts, rather than running on the CPU while saying {@code gpu}.
	 * @param name the setting ({@code cpu}, {@code gpu}, {@code gpu:N})
	 * @param gpus the GPUs TensorFlow sees
	 */
	static Device usableDevice(String name, int gpus) {
		// not Device.fromName, which quietly answers the CPU for a GPU the engine lacks
		Device device = name.equals("cpu") ? Device.cpu()
				: Device.gpu(name.startsWith("gpu:") ? Integer.parseInt(name.substring("gpu:".length())) : 0);
		if (device.isGpu() && device.getDeviceId() >= gpus) {
			throw new IllegalStateException("BATCHLINE_WORKER_DEVICE is " + name + ", but TensorFlow sees "
					+ ((gpus == 0) ? "no GPU" : gpus + " GPU(s)") + " here: give the worker an NVIDIA GPU with the "
					+ "CUDA 11 runtime (docs/operations.md#gpu-workers), or set it to cpu");
		}
		return device;
	}

	/** The device every model of this worker runs on, and its inputs live on. */
	public Device device() {
		return this.device;
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
		this.models.values().forEach(ServedModel::close);
		this.models.clear();
		if (this.copied) {
			BundledModels.delete(this.root);
		}
	}

	private static List<Path> versionDirs(Path root) {
		try (Stream<Path> models = Files.list(root)) {
			List<Path> dirs = new ArrayList<>();
			for (Path model : models.filter(Files::isDirectory).sorted().toList()) {
				try (Stream<Path> versions = Files.list(model)) {
					versions.filter((version) -> Files.isRegularFile(version.resolve(SavedModelSignature.SAVED_MODEL)))
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

	private static String key(String name, String version) {
		return name + ":" + version;
	}

	/**
	 * Numeric versions compare as numbers (TensorFlow Serving's layout), others as text.
	 */
	static int compareVersions(String a, String b) {
		boolean numeric = a.chars().allMatch(Character::isDigit) && b.chars().allMatch(Character::isDigit);
		return numeric ? new BigInteger(a).compareTo(new BigInteger(b)) : a.compareTo(b);
	}

}
