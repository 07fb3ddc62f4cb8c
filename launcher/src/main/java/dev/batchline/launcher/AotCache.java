package dev.batchline.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The JDK's ahead-of-time cache of a service jar: its classes loaded and linked, and on
 * JDK 25 their profiles, recorded in a training run and mapped into every later start (a
 * start without it loads and links those classes again). On JDK 25 and newer it is the
 * AOT cache ({@code -XX:AOTCache}, JEPs 483 and 515); on JDK 21 to 24 a dynamic CDS
 * archive ({@code -XX:SharedArchiveFile}), which keeps the classes only.
 * <p>
 * A cache belongs to one jar and one JDK: it lives in {@code <module>/target/aot/}, named
 * after the jar and this JVM's version, and is used only when it is newer than the jar
 * (the JVM checks again and runs on without a cache that does not match). It is made by
 * {@link AotTraining} when the project is built with {@code -Dbatchline.aot} (as
 * {@code ./batchline} builds it); docs/operations.md, "Cold start".
 */
public final class AotCache {

	/** What a service start does with its jar's cache. */
	public enum Mode {

		/** Start on the cache when there is a usable one (the default). */
		USE,

		/** Record the cache while the service runs ({@link AotTraining}). */
		RECORD,

		/** Start without a cache: the cold start the cache saves. */
		NONE

	}

	/** The first JDK whose one-step {@code -XX:AOTCacheOutput} records an AOT cache. */
	static final int AOT_CACHE_JDK = 25;

	private final Path file;

	private final Path jar;

	private AotCache(Path jar, Path file) {
		this.jar = jar;
		this.file = file;
	}

	/**
	 * The cache of a module's service jar ({@code <root>/<module>/target}) on this JDK.
	 */
	public static AotCache of(Path root, String module) {
		return of(ServiceProcess.jar(root, module));
	}

	/**
	 * The cache of a service jar on the JDK this JVM runs on (services run on it too).
	 */
	static AotCache of(Path jar) {
		String suffix = aotCacheJdk() ? ".aot" : ".jsa";
		String name = jar.getFileName().toString().replaceAll("\\.jar$", "") + "-jdk" + Runtime.version() + suffix;
		return new AotCache(jar, jar.resolveSibling("aot").resolve(name));
	}

	private static boolean aotCacheJdk() {
		return Runtime.version().feature() >= AOT_CACHE_JDK;
	}

	public Path file() {
		return this.file;
	}

	/** Whether the cache is there and was made from the jar as it is now. */
	public boolean usable() {
		try {
			return Files.isRegularFile(this.file)
					&& Files.getLastModifiedTime(this.file).compareTo(Files.getLastModifiedTime(this.jar)) > 0;
		}
		catch (IOException ex) {
			return false;
		}
	}

	/** The JVM options of a start in this mode. */
	List<String> options(Mode mode) {
		return switch (mode) {
			case USE -> useOptions();
			case RECORD -> recordOptions();
			case NONE -> List.of();
		};
	}

	/**
	 * The JVM options that start a service on its cache; none when it has no usable one.
	 */
	private List<String> useOptions() {
		if (!usable()) {
			return List.of();
		}
		return aotCacheJdk() ? List.of("-XX:AOTCache=" + this.file) : List.of("-XX:SharedArchiveFile=" + this.file);
	}

	/**
	 * The JVM options that record the cache while the service runs; the JVM writes it
	 * when it exits normally (SIGTERM included), which takes some seconds more.
	 */
	private List<String> recordOptions() {
		try {
			Files.createDirectories(this.file.getParent());
			Files.deleteIfExists(this.file);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return aotCacheJdk() ? List.of("-XX:AOTCacheOutput=" + this.file)
				: List.of("-XX:ArchiveClassesAtExit=" + this.file);
	}

}
