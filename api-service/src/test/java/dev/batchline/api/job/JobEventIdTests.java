package dev.batchline.api.job;

import dev.batchline.api.system.ApiException;
import dev.batchline.contracts.ProblemKind;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class JobEventIdTests {

	@Test
	void anIdReadsBackAsItWasWritten() {
		JobEventId id = JobEventId.START.withSequence(3).withProcessed(1200);
		assertThat(id).hasToString("3-1200");
		assertThat(JobEventId.parse(id.toString(), "Last-Event-ID")).isEqualTo(id);
	}

	@Test
	void noLastEventIdStartsAtTheBeginning() {
		assertThat(JobEventId.parse(null, "Last-Event-ID")).isEqualTo(JobEventId.START);
		assertThat(JobEventId.parse("", "Last-Event-ID")).isEqualTo(JobEventId.START);
	}

	@Test
	void anIdOfAnotherFormIsABadRequest() {
		for (String invalid : new String[] { " ", "1", "1-", "-1", "1-2-3", "a-1", "1-+2", "1_2", "1234567890-1",
				"1-1234567890123456789", "١-٢" }) {
			assertThatExceptionOfType(ApiException.class).as(invalid)
				.isThrownBy(() -> JobEventId.parse(invalid, "Last-Event-ID"))
				.satisfies((ex) -> assertThat(ex.kind()).isEqualTo(ProblemKind.BAD_REQUEST));
		}
	}

}
