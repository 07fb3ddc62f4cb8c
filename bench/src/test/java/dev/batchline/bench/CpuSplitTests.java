package dev.batchline.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** {@code --worker-cpus}: the list as taskset takes it, and the rest of the CPUs. */
class CpuSplitTests {

	@Test
	void givesTheOtherCpusToEverythingElse() {
		assertThat(CpuSplit.of("1", "0-1")).isEqualTo(new CpuSplit("1", "0"));
		assertThat(CpuSplit.of("2-3", "0-3")).isEqualTo(new CpuSplit("2,3", "0,1"));
		assertThat(CpuSplit.of("0, 2", "0-3")).isEqualTo(new CpuSplit("0,2", "1,3"));
		assertThat(CpuSplit.of("1", "0-1").workerPrefix()).containsExactly("taskset", "-c", "1");
	}

	@Test
	void splitsTheCpusThisJvmMayUseNotTheMachinesFirstOnes() {
		// e.g. a container given CPUs 4-7
		assertThat(CpuSplit.of("6-7", "4-7")).isEqualTo(new CpuSplit("6,7", "4,5"));
		assertThatIllegalArgumentException().isThrownBy(() -> CpuSplit.of("1", "4-7"))
			.withMessageContaining("may use CPUs 4,5,6,7");
	}

	@Test
	void halvesTheCpusForTheRunOnCpusOfTheirOwn() {
		assertThat(CpuSplit.halves("0-1")).contains(new CpuSplit("1", "0"));
		assertThat(CpuSplit.halves("0-3")).contains(new CpuSplit("2,3", "0,1"));
		assertThat(CpuSplit.halves("4,6,8,10")).contains(new CpuSplit("8,10", "4,6"));
		// one CPU, or an odd number: the raw limit could not have as many as the workers
		assertThat(CpuSplit.halves("0")).isEmpty();
		assertThat(CpuSplit.halves("0-2")).isEmpty();
	}

	@Test
	void readsTheCpusThisJvmMayUse() throws Exception {
		// this machine's own list, as taskset takes it
		assertThat(CpuSplit.allowedCpus()).matches("[0-9]+([-,][0-9]+)*");
	}

	@Test
	void refusesWhatTasksetWouldNotTakeOrAnUnevenSplit() {
		assertThatIllegalArgumentException().isThrownBy(() -> CpuSplit.of("2", "0-1"))
			.withMessageContaining("may use CPUs 0,1");
		assertThatIllegalArgumentException().isThrownBy(() -> CpuSplit.of("1-0", "0-1"))
			.withMessageContaining("not a CPU list");
		assertThatIllegalArgumentException().isThrownBy(() -> CpuSplit.of("one", "0-1"))
			.withMessageContaining("not a CPU list");
		assertThatIllegalArgumentException().isThrownBy(() -> CpuSplit.of("1-2-3", "0-3"))
			.withMessageContaining("not a CPU list");
		assertThatIllegalArgumentException().isThrownBy(() -> CpuSplit.of("3", "0-3"))
			.withMessageContaining("leaves 3 CPU(s)");
	}

}
