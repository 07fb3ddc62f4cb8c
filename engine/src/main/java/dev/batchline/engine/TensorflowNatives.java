package dev.batchline.engine;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes TensorFlow's native libraries available to DJL without any download. DJL 0.28's
 * TensorFlow engine would reject the {@code tensorflow-native-cpu:2.10.1} jar on the
 * classpath (its properties say {@code cu113}) and try to download natives, which cannot
 * work offline. So the libraries are unpacked once into a cache folder and
 * {@code TENSORFLOW_LIBRARY_PATH} points DJL at it. In order:
 * <ol>
 * <li>{@code TENSORFLOW_LIBRARY_PATH} already set (environment or system property): used
 * as it is (e.g. GPU natives on a GPU host);</li>
 * <li>the cache folder, when a previous run completed it;</li>
 * <li>otherwise the native jar, found on the classpath or in the local Maven repository,
 * is unpacked into the cache folder (into a temporary sibling first, renamed when
 * complete, so workers starting together never see half a library).</li>
 * </ol>
 */
public final class TensorflowNatives {

	/** The variable (and system property) DJL reads. */
	public static final String LIBRARY_PATH = "TENSORFLOW_LIBRARY_PATH";

	/** The native version this build pairs with DJL 0.28.0. */
	public static final String VERSION = "2.10.1";

	private static final Logger log = LoggerFactory.getLogger(TensorflowNatives.class);

	private static final String JAR_NAME = "tensorflow-native-cpu-" + VERSION + "-linux-x86_64.jar";

	private static final String MARKER = ".complete";

	private TensorflowNatives() {
	}

	/** The default cache folder: {@code ~/.batchline/natives/tensorflow-2.10.1-cpu}. */
	public static Path defaultCacheDir() {
		return Path.of(System.getProperty("user.home"), ".batchline", "natives", "tensorflow-" + VERSION + "-cpu");
	}

	/**
	 * Ensures DJL will find the natives; call before the TensorFlow engine is first used.
	 * @param cacheDir the cache folder, or null for the default
	 * @return the folder DJL will load the libraries from
	 */
	public static synchronized Path ensure(Path cacheDir) {
		String configured = System.getenv(LIBRARY_PATH);
		if (configured == null || configured.isBlank()) {
			configured = System.getProperty(LIBRARY_PATH);
		}
		if (configured != null && !configured.isBlank()) {
			return Path.of(configured);
		}
		Path target = (cacheDir != null) ? cacheDir : defaultCacheDir();
		if (!Files.exists(target.resolve(MARKER))) {
			unpack(findJar(), target);
		}
		System.setProperty(LIBRARY_PATH, target.toString());
		return target;
	}

	private static Path findJar() {
		List<Path> tried = new ArrayList<>();
		URL properties = TensorflowNatives.class.getClassLoader().getResource("native/lib/tensorflow.properties");
		if (properties != null && "jar".equals(properties.getProtocol())) {
			try {
				JarURLConnection connection = (JarURLConnection) properties.openConnection();
				Path jar = Path.of(connection.getJarFileURL().toURI());
				if (Files.isRegularFile(jar)) {
					return jar;
				}
				tried.add(jar);
			}
			catch (IOException | java.net.URISyntaxException | IllegalArgumentException ex) {
				log.debug("Native jar on the classpath not usable as a file: {}", ex.toString());
			}
		}
		String repository = System.getProperty("maven.repo.local",
				Path.of(System.getProperty("user.home"), ".m2", "repository").toString());
		Path jar = Path.of(repository, "ai", "djl", "tensorflow", "tensorflow-native-cpu", VERSION, JAR_NAME);
		if (Files.isRegularFile(jar)) {
			return jar;
		}
		tried.add(jar);
		throw new IllegalStateException("TensorFlow natives not found: set " + LIBRARY_PATH
				+ " to a folder with libtensorflow_cc.so.2, or build the project once (./mvnw package) so that "
				+ JAR_NAME + " is in the local Maven repository; tried the classpath and " + tried);
	}

	private static void unpack(Path jar, Path target) {
		long start = System.nanoTime();
		try {
			Files.createDirectories(target.getParent());
			Path temp = Files.createTempDirectory(target.getParent(), target.getFileName() + ".tmp");
			try (JarFile file = new JarFile(jar.toFile())) {
				Enumeration<JarEntry> entries = file.entries();
				while (entries.hasMoreElements()) {
					JarEntry entry = entries.nextElement();
					String name = entry.getName();
					if (!entry.isDirectory() && name.startsWith("native/lib/") && name.indexOf('/', 11) < 0) {
						try (InputStream in = file.getInputStream(entry)) {
							Files.copy(in, temp.resolve(name.substring("native/lib/".length())));
						}
					}
				}
			}
			Files.writeString(temp.resolve(MARKER), jar.toString());
			try {
				Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
				log.info("Unpacked TensorFlow {} natives from {} into {} in {} ms", VERSION, jar, target,
						(System.nanoTime() - start) / 1_000_000);
			}
			catch (FileAlreadyExistsException | DirectoryNotEmptyException | AtomicMoveNotSupportedException ex) {
				// another worker finished first: use its copy
				deleteTree(temp);
				if (!Files.exists(target.resolve(MARKER))) {
					throw new IllegalStateException("Could not unpack TensorFlow natives into " + target, ex);
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Could not unpack TensorFlow natives into " + target, ex);
		}
	}

	private static void deleteTree(Path root) throws IOException {
		try (Stream<Path> paths = Files.walk(root)) {
			for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
				Files.deleteIfExists(path);
			}
		}
	}

}
