package dev.batchline.api;

import java.time.Duration;
import java.util.UUID;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The results recorder's in-process retry (spring-retry): PostgreSQL refuses the
 * recorder's insert with a real error, raised by a trigger the test installs for a given
 * number of inserts (a sequence counts them, so the count survives the rollbacks).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "batchline.api.admin-token=test-admin-token", "batchline.topics.prefix=retry-it",
				"batchline.topics.partitions=1" })
class RecorderRetryIntegrationTests extends ApiIntegrationTest {

	@Autowired
	MeterRegistry meters;

	RecorderRetryIntegrationTests() {
		super("retry-it", null);
	}

	@BeforeAll
	void installTheFailingTrigger() {
		this.jdbc.execute("create sequence test_failed_inserts");
		this.jdbc.execute("create table test_injected_failure (errcode text not null, times int not null)");
		this.jdbc.execute("""
				create function test_fail_inserts() returns trigger language plpgsql as $$
				declare
				  failure record;
				begin
				  select * into failure from test_injected_failure limit 1;
				  if found and nextval('test_failed_inserts') <= failure.times then
				    raise exception 'failure injected by the test' using errcode = failure.errcode;
				  end if;
				  return new;
				end $$""");
		this.jdbc.execute("create trigger test_fail_inserts before insert on chunk_results"
				+ " for each row execute function test_fail_inserts()");
	}

	@BeforeEach
	void noFailureYet() {
		this.jdbc.update("delete from test_injected_failure");
		this.jdbc.execute("alter sequence test_failed_inserts restart");
	}

	@Test
	void aSerializationFailureIsRetriedInProcessAndTheResultRecordedOnce() {
		failNextInserts("40001", 2);
		double retriesBefore = retries();
		String id = submitAndAnswer();
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(this.api.get("/v1/jobs/" + id).json().get("state").asString())
				.isEqualTo("SUCCEEDED"));
		assertThat(retries() - retriesBefore).isEqualTo(2);
		assertThat(
				this.jdbc.queryForObject("select count(*) from chunk_results where job_id = ?::uuid", Long.class, id))
			.isEqualTo(1);
	}

	@Test
	void aDeadlockIsRetriedInProcess() {
		failNextInserts("40P01", 1);
		double retriesBefore = retries();
		String id = submitAndAnswer();
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(this.api.get("/v1/jobs/" + id).json().get("state").asString())
				.isEqualTo("SUCCEEDED"));
		assertThat(retries() - retriesBefore).isEqualTo(1);
	}

	@Test
	void aFailureOfTheDataIsNotRetriedAsTransientButTheResultIsTriedAgainOnItsOwn() {
		// a check violation is the data's: no transient retry; the recorder tries the
		// result again on its own (to tell it from the rest of its poll), and by then
		// the trigger lets it through
		failNextInserts("23514", 1);
		double retriesBefore = retries();
		String id = submitAndAnswer();
		await().atMost(Duration.ofSeconds(30))
			.untilAsserted(() -> assertThat(this.api.get("/v1/jobs/" + id).json().get("state").asString())
				.isEqualTo("SUCCEEDED"));
		assertThat(retries() - retriesBefore).isZero();
	}

	private void failNextInserts(String sqlState, int times) {
		this.jdbc.update("insert into test_injected_failure (errcode, times) values (?, ?)", sqlState, times);
	}

	/** Submits a one-chunk job and publishes its result as a worker would. */
	private String submitAndAnswer() {
		String id = this.api.post("/v1/jobs", WorkerSide.jobJson(3, null)).json().get("id").asString();
		this.workers.publishResult(WorkerSide.echo(this.workers.chunksOf(UUID.fromString(id), 1).get(0), -1));
		return id;
	}

	private double retries() {
		return this.meters.counter("batchline.results.transient_failures").count();
	}

}
