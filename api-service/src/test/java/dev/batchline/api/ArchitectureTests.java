package dev.batchline.api;

import dev.batchline.testsupport.Floors;
import org.junit.jupiter.api.Test;

/**
 * The api-service's floors, from the bottom up: the cores sit on the shared pieces, and
 * the adapters (the Kafka recorders, the HTTP edge, the REST door) on the cores. No
 * import runs up a floor.
 */
class ArchitectureTests {

	@Test
	void noImportRunsUpAFloor() {
		Floors
			.of("dev.batchline.api", "system", "model", "tenant", "quota", "outbox", "webhook", "intake", "inference",
					"job", "recording", "http", "grpc", "rest", "graphql", "oip", "tfserving", "openai", "console")
			.assertNoUpwardImports();
	}

}
