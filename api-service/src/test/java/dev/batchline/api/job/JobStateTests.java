package dev.batchline.api.job;

import java.util.EnumSet;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class JobStateTests {

	@Test
	void aQueuedJobRunsThenEndsInOneOfTheTerminalStates() {
		assertThat(JobState.QUEUED.canMoveTo(JobState.RUNNING)).isTrue();
		assertThat(JobState.QUEUED.canMoveTo(JobState.SUCCEEDED)).isFalse();
		assertThat(EnumSet.allOf(JobState.class).stream().filter(JobState.RUNNING::canMoveTo))
			.containsExactlyInAnyOrder(JobState.SUCCEEDED, JobState.PARTIALLY_SUCCEEDED, JobState.FAILED,
					JobState.CANCELLING, JobState.EXPIRED);
	}

	@Test
	void noTransitionLeavesATerminalState() {
		for (JobState state : JobState.values()) {
			boolean leaves = EnumSet.allOf(JobState.class).stream().anyMatch(state::canMoveTo);
			assertThat(leaves).as(state.name()).isEqualTo(!state.isTerminal());
		}
	}

	@Test
	void everyStateButCancellingHasItsOwnJobEvent() {
		assertThat(JobState.SUCCEEDED.eventType()).isEqualTo("job.succeeded");
		assertThat(JobState.PARTIALLY_SUCCEEDED.eventType()).isEqualTo("job.partially_succeeded");
		assertThat(JobState.FAILED.eventType()).isEqualTo("job.failed");
	}

}
