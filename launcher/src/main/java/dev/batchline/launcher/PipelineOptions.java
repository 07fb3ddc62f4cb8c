package dev.batchline.launcher;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a {@link LocalPipeline} starts and where.
 *
 * @param root the repository root (service jars under {@code <module>/target})
 * @param work the work folder (data, logs)
 * @param workers how many workers
 * @param apiPort the API's port
 * @param kafkaPort the embedded broker's port
 * @param postgresPort the embedded PostgreSQL's port
 * @param serviceEnv more environment for every service, over the launcher's own (e.g. a
 * faster webhook retry schedule in tests, the bench's models root)
 * @param workerPrefix the words before a worker's {@code java} command, e.g.
 * {@code taskset -c 1} to keep the workers on CPUs of their own (none by default)
 * @param secureKafka whether the embedded broker asks every client for its principal's
 * password and applies ACLs ({@link KafkaSecurity})
 * @param aot what the services do with their jars' AOT caches ({@link AotCache})
 */
public record PipelineOptions(Path root, Path work, int workers, int apiPort, int kafkaPort, int postgresPort,
		Map<String, String> serviceEnv, List<String> workerPrefix, boolean secureKafka, AotCache.Mode aot) {

	public PipelineOptions(Path root, Path work, int workers, int apiPort, int kafkaPort, int postgresPort,
			Map<String, String> serviceEnv, List<String> workerPrefix, boolean secureKafka) {
		this(root, work, workers, apiPort, kafkaPort, postgresPort, serviceEnv, workerPrefix, secureKafka,
				AotCache.Mode.USE);
	}

	public PipelineOptions(Path root, Path work, int workers, int apiPort, int kafkaPort, int postgresPort,
			Map<String, String> serviceEnv, List<String> workerPrefix) {
		this(root, work, workers, apiPort, kafkaPort, postgresPort, serviceEnv, workerPrefix, false);
	}

	public PipelineOptions(Path root, Path work, int workers, int apiPort, int kafkaPort, int postgresPort) {
		this(root, work, workers, apiPort, kafkaPort, postgresPort, Map.of());
	}

	public PipelineOptions(Path root, Path work, int workers, int apiPort, int kafkaPort, int postgresPort,
			Map<String, String> serviceEnv) {
		this(root, work, workers, apiPort, kafkaPort, postgresPort, serviceEnv, List.of());
	}

}
