package dev.batchline.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** {@code --worker-cpus}: the list as taskset takes it, and the rest of the CPUs. */
class CpuSplitTests {

	@Test
	void givesTheOtherCpusToEverythingElse() {
		assertThat(CpuSplit.of("1", 2)).isEqualTo(new CpuSplit("1", "0"));
		assertThat(CpuSplit.of("2-3", 4)).isEqualTo(new CpuSplit("2,3", "0,1"));
		assertThat(CpuSplit.of("0, 2", 4)).isEqualTo(new CpuSplit("0,2", "1,3"));
		assertThat(CpuSplit.of("1", 2).workerPrefix()).containsExactly("taskset", "-c", "1");
	}

	@Test
	void refusesWhatTasksetWouldNotTakeOrAnUnevenSplit() {
		assertThatIllegalArgumentException().isThrownBy(() -> CpuSplit.of("2", 2)).withMessageContaining("CPUs 0-1");
		assertThatIllegalArgumentException().isThrownBy(() -> CpuSplit.of("1-0", 2))
			.withMessageContaining("not a CPU list");
		assertThatIllegalArgumentException().isThrownBy(() -> CpuSplit.of("one", 2))
			.withMessageContaining("not a CPU list");
		assertThatIllegalArgumentException().isThrownBy(() -> CpuSplit.of("1-2-3", 4))
			.withMessageContaining("not a CPU list");
		assertThatIllegalArgumentException().isThrownBy(() -> CpuSplit.of("3", 4))
			.withMessageContaining("leaves 3 CPU(s)");
	}

}
