package dev.batchline.contracts;

import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ChunkKeyTests {

	@Test
	void readsTheKeyItWrites() {
		ChunkKey key = new ChunkKey(UUID.randomUUID(), 42);
		assertThat(key.toString()).isEqualTo(key.jobId() + "/42");
		assertThat(ChunkKey.parse(key.toString())).isEqualTo(key);
	}

	@Test
	void refusesKeysThatNameNoChunk() {
		for (String key : new String[] { null, "", "no-slash", "not-a-uuid/1", UUID.randomUUID() + "/x",
				UUID.randomUUID().toString() }) {
			assertThatIllegalArgumentException().isThrownBy(() -> ChunkKey.parse(key));
		}
	}

}
