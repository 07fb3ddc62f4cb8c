package dev.batchline.system;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import dev.batchline.launcher.Folders;
import dev.batchline.launcher.ServiceProcess;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs {@code ./batchline demo} exactly as a newcomer would (in a fresh work folder, on
 * free ports) and checks its exit code and the verified webhook in its output.
 */
class LauncherDemoIntegrationTests {

	private static final Logger log = LoggerFactory.getLogger(LauncherDemoIntegrationTests.class);

	private static final Path ROOT = Path.of(System.getProperty("batchline.repo.root", "..")).toAbsolutePath();

	@Test
	void theDemoRunsTheWholePipelineAndPrintsAVerifiedWebhook() throws Exception {
		Path work = ROOT.resolve("system-tests/target/demo-work");
		Path output = ROOT.resolve("system-tests/target/demo-output.log");
		Folders.deleteTree(work);
		ProcessBuilder demo = new ProcessBuilder(ROOT.resolve("batchline").toString(), "demo").directory(ROOT.toFile())
			.redirectErrorStream(true)
			.redirectOutput(output.toFile());
		demo.environment().put("BATCHLINE_WORK_DIR", work.toString());
		demo.environment().put("BATCHLINE_API_PORT", Integer.toString(ServiceProcess.freePort()));
		demo.environment().put("BATCHLINE_LOCAL_KAFKA_PORT", Integer.toString(ServiceProcess.freePort()));
		demo.environment().put("BATCHLINE_LOCAL_POSTGRES_PORT", Integer.toString(ServiceProcess.freePort()));
		demo.environment().remove("SPRING_DATASOURCE_URL");
		demo.environment().remove("SPRING_KAFKA_BOOTSTRAP_SERVERS");
		long start = System.nanoTime();
		Process process = demo.start();
		boolean finished = process.waitFor(8, TimeUnit.MINUTES);
		if (!finished) {
			process.destroy();
			process.waitFor(60, TimeUnit.SECONDS);
		}
		String printed = Files.readString(output);
		log.info("./batchline demo took {} s; its output:\n{}", (System.nanoTime() - start) / 1_000_000_000, printed);
		assertThat(finished).as("the demo finished").isTrue();
		assertThat(process.exitValue()).as(printed).isZero();
		assertThat(printed).contains("signature: VERIFIED", "\"type\":\"job.succeeded\"", "Demo succeeded");
		assertThat(printed).containsPattern("Accuracy of the model on the known species: (9[5-9]|100)\\.");
	}

}
