package dev.batchline.launcher;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Ctrl-C while {@code ./batchline up} is still starting (the script turns it into a
 * SIGTERM to the launcher) stops everything the launcher had started: no PostgreSQL,
 * Kafka or service outlives it.
 */
class StopWhileStartingIntegrationTests {

	private static final Path ROOT = Path.of(System.getProperty("batchline.repo.root", "..")).toAbsolutePath();

	@Test
	void aSigtermWhileTheServicesStartLeavesNoProcessBehind() throws Exception {
		Path work = ROOT.resolve("system-tests/target/stop-while-starting-work");
		Folders.deleteTree(work);
		ProcessBuilder builder = new ProcessBuilder(ServiceProcess.javaExecutable(), "-Xmx256m",
				"-Dbatchline.root=" + ROOT, "-cp", System.getProperty("java.class.path"), Launcher.class.getName(),
				"up", "--workers", "1")
			.redirectErrorStream(true)
			.redirectOutput(work.resolveSibling("stop-while-starting.log").toFile());
		builder.environment().put("BATCHLINE_WORK_DIR", work.toString());
		builder.environment().put("BATCHLINE_API_PORT", Integer.toString(ServiceProcess.freePort()));
		builder.environment().put("BATCHLINE_LOCAL_KAFKA_PORT", Integer.toString(ServiceProcess.freePort()));
		builder.environment().put("BATCHLINE_LOCAL_POSTGRES_PORT", Integer.toString(ServiceProcess.freePort()));
		Process launcher = builder.start();
		List<ProcessHandle> started = new ArrayList<>();
		try {
			// Kafka, the PostgreSQL server and the API and worker JVMs: the services are
			// starting, none is ready yet
			await().atMost(Duration.ofSeconds(60))
				.pollInterval(Duration.ofMillis(100))
				.until(() -> launcher.descendants().filter(StopWhileStartingIntegrationTests::isJava).count() >= 3);
			launcher.descendants().forEach(started::add);
			launcher.destroy();
			assertThat(launcher.waitFor(90, TimeUnit.SECONDS)).as("the launcher stops").isTrue();
			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> assertThat(started.stream().filter(ProcessHandle::isAlive).map(this::describe))
					.as("processes left behind")
					.isEmpty());
			// the postmaster leaves its launcher's tree (pg_ctl starts it in the
			// background); it removes this file as it stops
			assertThat(work.resolve("postgres/postmaster.pid")).as("PostgreSQL stopped").doesNotExist();
		}
		finally {
			started.forEach(ProcessHandle::destroyForcibly);
			launcher.destroyForcibly();
		}
	}

	private static boolean isJava(ProcessHandle process) {
		return process.info().command().map((command) -> command.endsWith("/java")).orElse(false);
	}

	private String describe(ProcessHandle process) {
		String command = process.info().commandLine().orElse("?");
		return process.pid() + " " + command.substring(0, Math.min(command.length(), 160));
	}

}
