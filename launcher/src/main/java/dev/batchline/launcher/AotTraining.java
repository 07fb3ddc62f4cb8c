package dev.batchline.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Records the services' {@link AotCache AOT caches}: the demo, run once with each service
 * recording what it loads, links and compiles while it starts, takes a job, predicts and
 * delivers a webhook. A build with {@code -Dbatchline.aot} runs it after packaging the
 * jars ({@code launcher/pom.xml}; {@code ./batchline} builds so), so that every later
 * start on this JDK, by the launcher, the bench or the tests, begins warm.
 * <p>
 * A failed training fails nothing: the services then start without a cache, as before.
 */
public final class AotTraining {

	private static final List<String> MODULES = List.of("api-service", "webhook-dispatcher", "worker-service");

	private AotTraining() {
	}

	public static void main(String[] args) {
		Path root = Path.of(System.getProperty("batchline.root", ".")).toAbsolutePath().normalize();
		Path work = root.resolve("launcher/target/aot-training");
		long start = System.nanoTime();
		Console
			.step("Recording the services' AOT caches on JDK " + Runtime.version() + " (a demo run in " + work + ")");
		int exit;
		try {
			Folders.deleteTree(work);
			PipelineOptions options = new PipelineOptions(root, work, 1, ServiceProcess.freePort(),
					ServiceProcess.freePort(), ServiceProcess.freePort(), Map.of(), List.of(), false,
					AotCache.Mode.RECORD);
			try (LocalPipeline pipeline = LocalPipeline.up(options)) {
				exit = new Demo(pipeline, root, start).run();
			}
		}
		catch (Exception ex) {
			Console.step("AOT training failed, the services start without a cache: " + ex);
			exit = 1;
		}
		for (String module : MODULES) {
			AotCache cache = AotCache.of(root, module);
			Console.step(module + ": " + (cache.usable() ? cache.file() + " (" + megabytes(cache.file()) + " MB)"
					: "no cache (see " + work.resolve("logs") + ")"));
		}
		Console.step(String.format("AOT training took %.0f s", (System.nanoTime() - start) / 1e9));
		if (exit == 0) {
			try {
				Folders.deleteTree(work);
			}
			catch (IOException ex) {
				Console.step("Could not delete " + work + ": " + ex.getMessage());
			}
		}
		// never fails the build: a service without a cache only starts slower
		System.exit(0);
	}

	private static long megabytes(Path file) {
		try {
			return Files.size(file) >> 20;
		}
		catch (IOException ex) {
			return -1;
		}
	}

}
