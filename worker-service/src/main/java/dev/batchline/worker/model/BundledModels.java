package dev.batchline.worker.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * The model repository the build bundles ({@code model-repository/} in the service's
 * classes, holding the Iris model it trains), for a worker given no {@code models-root}.
 * DJL loads a SavedModel from files, so the repository is used in place when it is a
 * folder on disk (tests, IDE) and copied out to a temporary folder of this worker's when
 * it is inside the service's jar; the copy is deleted when the worker stops.
 */
final class BundledModels {

	private static final Logger log = LoggerFactory.getLogger(BundledModels.class);

	private static final String BUNDLED = "model-repository";

	private static final String COPY_PREFIX = "batchline-models";

	private BundledModels() {
	}

	/** The bundled repository as a folder: in place, or a fresh copy. */
	static Path folder() {
		URL url = BundledModels.class.getClassLoader().getResource(BUNDLED);
		if (url == null) {
			throw new IllegalStateException(
					"No bundled model repository on the classpath: set BATCHLINE_WORKER_MODELS_ROOT");
		}
		if ("file".equals(url.getProtocol())) {
			try {
				return Path.of(url.toURI());
			}
			catch (URISyntaxException ex) {
				throw new IllegalStateException(ex);
			}
		}
		try {
			Path target = Files.createTempDirectory(COPY_PREFIX);
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

	/** Whether {@code root} is a copy {@link #folder()} made. */
	static boolean isCopy(Path root) {
		return root.getFileName().toString().startsWith(COPY_PREFIX);
	}

	/** Deletes a copy; best effort: a leftover in the temporary folder does no harm. */
	static void delete(Path copy) {
		try (Stream<Path> paths = Files.walk(copy)) {
			for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
				Files.deleteIfExists(path);
			}
		}
		catch (IOException ex) {
			log.debug("Could not delete the extracted model repository {}: {}", copy, ex.toString());
		}
	}

}
