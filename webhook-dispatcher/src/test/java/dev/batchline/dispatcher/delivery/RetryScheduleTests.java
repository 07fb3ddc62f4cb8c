package dev.batchline.dispatcher.delivery;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RetryScheduleTests {

	private static final List<Duration> SVIX = List.of(Duration.ofSeconds(5), Duration.ofMinutes(5),
			Duration.ofMinutes(30), Duration.ofHours(2), Duration.ofHours(5), Duration.ofHours(10),
			Duration.ofHours(10));

	@Test
	void followsTheSchedulePauseByPauseAndEndsAfterTheLast() {
		RetrySchedule schedule = new RetrySchedule(SVIX, 0, Duration.ofHours(1));
		for (int attempts = 1; attempts <= SVIX.size(); attempts++) {
			assertThat(schedule.next(attempts, null)).as("after attempt " + attempts).isEqualTo(SVIX.get(attempts - 1));
		}
		assertThat(schedule.next(SVIX.size() + 1, null)).as("after the eighth attempt").isNull();
	}

	@RepeatedTest(20)
	void variesEachPauseByTheJitterAtMost() {
		RetrySchedule schedule = new RetrySchedule(SVIX, 0.1, Duration.ofHours(1));
		assertThat(schedule.next(2, null)).isBetween(Duration.ofSeconds(270), Duration.ofSeconds(330));
	}

	@Test
	void waitsForALongerRetryAfterUpToTheCap() {
		RetrySchedule schedule = new RetrySchedule(SVIX, 0, Duration.ofHours(1));
		assertThat(schedule.next(1, Duration.ofMinutes(2))).isEqualTo(Duration.ofMinutes(2));
		assertThat(schedule.next(1, Duration.ofDays(3))).isEqualTo(Duration.ofHours(1));
	}

	@Test
	void neverRetriesSoonerThanTheScheduleForAShorterRetryAfter() {
		RetrySchedule schedule = new RetrySchedule(SVIX, 0, Duration.ofHours(1));
		assertThat(schedule.next(3, Duration.ofSeconds(1))).isEqualTo(Duration.ofMinutes(30));
	}

	@Test
	void aRetryAfterDoesNotAddAnAttemptPastTheLast() {
		RetrySchedule schedule = new RetrySchedule(SVIX, 0, Duration.ofHours(1));
		assertThat(schedule.next(SVIX.size() + 1, Duration.ofSeconds(10))).isNull();
	}

}
