package dev.batchline.dispatcher;

import dev.batchline.testsupport.Floors;
import org.junit.jupiter.api.Test;

/**
 * The dispatcher's packages are floors, bottom up: {@code system} (configuration),
 * {@code signing} (the secrets and signatures), {@code delivery} (planning, sending,
 * replaying). No package uses one above it.
 */
class ArchitectureTests {

	@Test
	void noPackageUsesOneAboveIt() {
		Floors.of("dev.batchline.dispatcher", "system", "signing", "delivery").assertNoUpwardImports();
	}

}
