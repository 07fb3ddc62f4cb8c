package dev.batchline.dispatcher.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import dev.batchline.contracts.JobEvent;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FirstAttemptsTests {

	private final FirstAttempts first = new FirstAttempts();

	@Test
	void aFirstAttemptBeforeTheWriteIsWrittenWithItsDeliveryAndOneGivenBackIsWrittenDue() {
		DeliveryQueue.Claimed sent = delivery();
		DeliveryQueue.Claimed givenBack = delivery();
		DeliveryQueue.Claimed held = delivery();
		Instant due = Instant.now().plusSeconds(1);

		assertThat(this.first.take(delivered(sent))).isTrue();
		assertThat(this.first.giveBack(givenBack, due)).isTrue();
		List<FirstAttempts.Row> rows = this.first.close();

		assertThat(rows).extracting(FirstAttempts.Row::delivery).containsExactly(sent, givenBack, held);
		assertThat(rows.get(0).outcome().attempt().statusCode()).isEqualTo(204);
		assertThat(rows.get(1).outcome()).isNull();
		assertThat(rows.get(1).due()).isEqualTo(due);
		assertThat(rows.get(2).outcome()).as("still running: written claimed").isNull();
		assertThat(rows.get(2).due()).isNull();
		assertThat(this.first.gaveBack()).isTrue();
	}

	@Test
	void newsWhileTheRowsAreWrittenIsPassedOnOnceTheyAreAndNewsAfterThatGoesToTheTable() {
		DeliveryQueue.Claimed late = delivery();
		DeliveryQueue.Claimed lateBack = delivery();
		DeliveryQueue.Claimed after = delivery();
		this.first.close();
		DeliveryQueue.Outcome outcome = delivered(late);
		Instant due = Instant.now();

		assertThat(this.first.take(outcome)).isTrue();
		assertThat(this.first.giveBack(lateBack, due)).isTrue();
		FirstAttempts.Late passedOn = this.first.written();

		assertThat(passedOn.outcomes()).containsExactly(outcome);
		assertThat(passedOn.givenBack()).containsEntry(lateBack, due);
		assertThat(this.first.take(delivered(after))).as("its row is written: recorded as any attempt").isFalse();
		assertThat(this.first.giveBack(after, due)).isFalse();
	}

	@Test
	void aPollThatCouldNotBeWrittenDropsWhatComesAfterAndTellsTheSender() {
		DeliveryQueue.Claimed delivery = delivery();
		this.first.close();
		this.first.take(delivered(delivery));
		this.first.dropped();

		assertThat(this.first.isDropped()).isTrue();
		assertThat(this.first.take(delivered(delivery()))).as("consumed again: nothing to record").isTrue();
	}

	@Test
	void waitsWhileItsLanesMoveAndNotForAStuckOne() throws InterruptedException {
		DeliveryQueue.Claimed delivery = delivery();
		long stuckSince = System.nanoTime();
		long start = System.nanoTime();
		this.first.await(Duration.ofMillis(50), Duration.ofSeconds(5), (claimed) -> stuckSince);
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(40),
				Duration.ofMillis(1000));

		Thread.ofVirtual().start(() -> {
			sleep(300);
			this.first.take(delivered(delivery));
		});
		start = System.nanoTime();
		this.first.await(Duration.ofMillis(50), Duration.ofSeconds(5), (claimed) -> System.nanoTime());
		assertThat(Duration.ofNanos(System.nanoTime() - start)).as("until its attempt ended")
			.isBetween(Duration.ofMillis(250), Duration.ofMillis(3000));
	}

	@Test
	void waitsNoLongerThanItsLongestWait() throws InterruptedException {
		delivery();
		long start = System.nanoTime();
		this.first.await(Duration.ofMillis(50), Duration.ofMillis(200), (claimed) -> System.nanoTime());
		assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(150),
				Duration.ofMillis(2000));
	}

	private DeliveryQueue.Claimed delivery() {
		UUID endpoint = UUID.randomUUID();
		DeliveryQueue.Claimed delivery = new DeliveryQueue.Claimed(UUID.randomUUID(), UUID.randomUUID(),
				UUID.randomUUID(), UUID.randomUUID(), endpoint, true, 1, "https://receiver.example/hooks", new byte[0],
				0, "endpoint:" + endpoint, UUID.randomUUID(), null, null, System.nanoTime(), null, this.first);
		this.first.add(delivery, JobEvent.SUCCEEDED);
		return delivery;
	}

	private static DeliveryQueue.Outcome delivered(DeliveryQueue.Claimed delivery) {
		return new DeliveryQueue.Outcome(delivery,
				new Attempt(Instant.now(), 204, Duration.ofMillis(2), null, null, null, false), null);
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
