package dev.batchline.launcher;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.webhooks.WebhookSecret;
import dev.batchline.contracts.webhooks.WebhookVerifier;
import dev.batchline.system.IrisModel;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The fault suite: several jobs of thousands of Iris items each through the real
 * multi-process pipeline (embedded PostgreSQL, a standalone Kafka broker, the
 * api-service, the webhook dispatcher and two workers, each its own process, as
 * {@code ./batchline up} runs them), while a fault is injected: a worker SIGKILLed
 * mid-batch, the Kafka broker restarted, the api-service SIGKILLed while it records
 * results, the dispatcher SIGKILLed between webhook retries. After each scenario it
 * checks that every job is terminal, that every item has exactly one result or error and
 * that results equal the model's own output (DJL in this JVM), that every terminal job's
 * webhook reached a deduplicating receiver exactly once (or shows as FAILED), and that
 * PostgreSQL holds no duplicate rows. The table of what it found is logged and written to
 * {@code system-tests/target/fault-suite.md}.
 * <p>
 * Size: {@code -Dbatchline.faults.jobs} (default 3) jobs of
 * {@code -Dbatchline.faults.items} (default 5000) items per scenario.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultSuiteIntegrationTests {

	private static final Logger log = LoggerFactory.getLogger(FaultSuiteIntegrationTests.class);

	private static final Path ROOT = Path.of(System.getProperty("batchline.repo.root", "..")).toAbsolutePath();

	private static final int JOBS = Integer.getInteger("batchline.faults.jobs", 3);

	private static final int ITEMS = Integer.getInteger("batchline.faults.items", 5000);

	private static final Duration JOB_TIMEOUT = Duration.ofMinutes(4);

	/**
	 * Longer than a dispatcher's lease on a delivery it claimed just before it was killed
	 * (4 × the 2 s timeout + 30 s).
	 */
	private static final Duration WEBHOOK_TIMEOUT = Duration.ofMinutes(2);

	private static final Duration KAFKA_OUTAGE = Duration.ofSeconds(5);

	private static final Set<String> TERMINAL = Set.of("SUCCEEDED", "PARTIALLY_SUCCEEDED", "FAILED", "CANCELLED",
			"EXPIRED");

	private static final double PROBABILITY_TOLERANCE = 1e-5;

	private static final int MAX_PROBLEMS_SHOWN = 20;

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	private final FaultTable table = new FaultTable();

	private final List<float[]> iris = new ArrayList<>();

	private LocalPipeline pipeline;

	private PipelineHttp api;

	private DeduplicatingWebhookReceiver receiver;

	private IrisModel model;

	private int submitted;

	private long suiteStart;

	/** A submitted job, its inputs and what the model answers to them. */
	private record SubmittedJob(String id, List<float[]> rows, IrisModel.Outputs expected) {
	}

	@BeforeAll
	void up() throws Exception {
		this.suiteStart = System.nanoTime();
		Path work = ROOT.resolve("system-tests/target/fault-work");
		Folders.deleteTree(work);
		Map<String, String> env = Map.of(
				// retries seconds apart, so that the dispatcher can be killed between two
				"BATCHLINE_WEBHOOKS_RETRY_SCHEDULE", "3s,3s,3s,3s,3s,3s,3s",
				// a killed dispatcher's claimed delivery is tried again after its lease
				// (4 x timeout + 30 s)
				"BATCHLINE_WEBHOOKS_TIMEOUT", "2s", "BATCHLINE_WEBHOOKS_CIRCUIT_OPEN_DURATION", "5s");
		this.pipeline = LocalPipeline.up(new PipelineOptions(ROOT, work, 2, ServiceProcess.freePort(),
				ServiceProcess.freePort(), ServiceProcess.freePort(), env));
		this.api = new PipelineHttp(this.pipeline);
		WebhookSecret secret = WebhookSecret.parse(this.api.get("/v1/callback-secret").get("secret").asString());
		this.receiver = DeduplicatingWebhookReceiver.start(new WebhookVerifier(secret));
		await().atMost(Duration.ofSeconds(60))
			.ignoreExceptions()
			.until(() -> this.api.get("/v1/models").toString().contains("iris"));
		this.model = IrisModel.load(ROOT);
		this.iris.addAll(IrisModel.dataSet(ROOT));
		log.info("Fault suite: pipeline up in {} s; {} jobs of {} items per scenario, 2 workers",
				(System.nanoTime() - this.suiteStart) / 1_000_000_000, JOBS, ITEMS);
	}

	@AfterAll
	void down() {
		String heading = String.format(
				"%d jobs of %d items per scenario, 2 workers, standalone Kafka broker, embedded PostgreSQL; "
						+ "suite time %.0f s (pipeline start included).",
				JOBS, ITEMS, (System.nanoTime() - this.suiteStart) / 1e9);
		log.info("Fault suite: {}\n{}", heading, this.table.markdown());
		this.table.write(ROOT.resolve("system-tests/target/fault-suite.md"), heading);
		Stream.<AutoCloseable>of(this.receiver, this.model, this.pipeline)
			.filter(java.util.Objects::nonNull)
			.forEach(FaultSuiteIntegrationTests::closeQuietly);
	}

	@Test
	@Order(1)
	void aWorkerKilledMidBatchLosesAndDuplicatesNothing() throws Exception {
		long start = System.nanoTime();
		List<SubmittedJob> jobs = submitJobs();
		ServiceProcess victim = this.pipeline.workers().get(0);
		await().atMost(Duration.ofMinutes(2))
			.pollInterval(Duration.ofMillis(20))
			.ignoreExceptions()
			.until(() -> itemsInferred(victim) > 0);
		victim.kill();
		long pendingAtFault = pending(jobs);
		log.info("Killed {} (SIGKILL) after it inferred items, {} items pending", victim.name(), pendingAtFault);
		this.pipeline.replaceWorker(victim);
		FaultTable.Outcome outcome = verify("SIGKILL a worker mid-batch", jobs, "1 worker SIGKILL", start);
		assertThat(pendingAtFault).as("items still pending when the worker was killed").isPositive();
		assertClean(outcome);
	}

	@Test
	@Order(2)
	void aKafkaBrokerRestartMidJobLosesAndDuplicatesNothing() throws Exception {
		long start = System.nanoTime();
		List<SubmittedJob> jobs = submitJobsAndAwaitProgress();
		long pendingAtFault = pending(jobs);
		this.pipeline.stopKafka();
		log.info("Stopped the Kafka broker with {} items pending; starting it again in {}", pendingAtFault,
				KAFKA_OUTAGE);
		long outage = System.nanoTime();
		// intake keeps accepting while the broker is away: the outbox holds the chunks
		List<SubmittedJob> all = new ArrayList<>(jobs);
		all.addAll(submitJobs());
		// the outage itself: the broker stays down at least this long
		Thread.sleep(Math.max(0, KAFKA_OUTAGE.toMillis() - (System.nanoTime() - outage) / 1_000_000));
		this.pipeline.startKafka();
		FaultTable.Outcome outcome = verify("restart the Kafka broker mid-job", all,
				"1 broker stop + start; " + JOBS + " jobs submitted while it was down", start);
		assertThat(pendingAtFault).as("items still pending when the broker stopped").isPositive();
		assertClean(outcome);
	}

	@Test
	@Order(3)
	void anApiServiceKilledWhileRecordingResultsLosesAndDuplicatesNothing() throws Exception {
		long start = System.nanoTime();
		List<SubmittedJob> jobs = submitJobsAndAwaitProgress();
		long pendingAtFault = pending(jobs);
		this.pipeline.restartApi(LocalPipeline.Stop.KILL);
		log.info("Killed api-service (SIGKILL) while recording, {} items pending, and started it again",
				pendingAtFault);
		FaultTable.Outcome outcome = verify("SIGKILL api-service while recording results", jobs,
				"1 api-service SIGKILL", start);
		assertThat(pendingAtFault).as("items still pending when api-service was killed").isPositive();
		assertClean(outcome);
	}

	@Test
	@Order(4)
	void aDispatcherKilledBetweenRetriesDeliversEveryWebhookOnce() throws Exception {
		long start = System.nanoTime();
		int kills = 2;
		int failedBefore = this.receiver.failedOnPurpose();
		this.receiver.failFirstAttempts(kills);
		try {
			List<SubmittedJob> jobs = submitJobs();
			for (int kill = 1; kill <= kills; kill++) {
				int failedAttempts = kill;
				await().atMost(Duration.ofMinutes(3))
					.pollInterval(Duration.ofMillis(100))
					.ignoreExceptions()
					.until(() -> betweenRetries(jobs, failedAttempts));
				this.pipeline.restartDispatcher(LocalPipeline.Stop.KILL);
				log.info("Killed the dispatcher (SIGKILL) after failed attempt {} of a delivery, started it again",
						failedAttempts);
			}
			FaultTable.Outcome outcome = verify("SIGKILL the dispatcher between webhook retries", jobs,
					kills + " dispatcher SIGKILLs, receiver answers 500 twice per message", start);
			assertThat(this.receiver.failedOnPurpose() - failedBefore)
				.as("attempts answered 500: every message failed %d times before it was accepted", kills)
				.isGreaterThanOrEqualTo(kills * jobs.size());
			assertClean(outcome);
		}
		finally {
			this.receiver.failFirstAttempts(0);
		}
	}

	/** Submits the scenario's jobs and waits until some of their items are done. */
	private List<SubmittedJob> submitJobsAndAwaitProgress() throws Exception {
		List<SubmittedJob> jobs = submitJobs();
		await().atMost(Duration.ofMinutes(2))
			.pollInterval(Duration.ofMillis(20))
			.ignoreExceptions()
			.until(() -> done(jobs) > 0);
		return jobs;
	}

	private static void assertClean(FaultTable.Outcome outcome) {
		assertThat(outcome.problems()).as("problems found").isEmpty();
		assertThat(outcome.stuck()).as("jobs not terminal").isZero();
		assertThat(outcome.lost()).as("items or webhooks lost").isZero();
		assertThat(outcome.duplicated()).as("duplicates").isZero();
		assertThat(outcome.wrong()).as("results that differ from the model's output").isZero();
	}

	private List<SubmittedJob> submitJobs() throws Exception {
		List<SubmittedJob> jobs = new ArrayList<>();
		for (int j = 0; j < JOBS; j++) {
			List<float[]> rows = rows(this.submitted++);
			String body = "{\"model\":\"iris\",\"instances\":["
					+ rows.stream().map(IrisModel::json).collect(Collectors.joining(",")) + "],\"callback\":{\"url\":\""
					+ this.receiver.url() + "\"}}";
			HttpResponse<byte[]> response = this.http.send(this.api.request("/v1/jobs")
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString(body))
				.build(), HttpResponse.BodyHandlers.ofByteArray());
			assertThat(response.statusCode()).as(new String(response.body())).isEqualTo(202);
			jobs.add(new SubmittedJob(EventCodec.tree(response.body()).get("id").asString(), rows,
					this.model.predict(rows)));
		}
		return jobs;
	}

	/**
	 * A job's inputs: the Iris rows, shifted by a few hundredths per pass through the
	 * data set, so that no two jobs send the same items.
	 */
	private List<float[]> rows(int job) {
		List<float[]> rows = new ArrayList<>(ITEMS);
		for (int i = 0; i < ITEMS; i++) {
			long n = (long) job * ITEMS + i;
			float[] base = this.iris.get((int) (n % this.iris.size()));
			float shift = ((n / this.iris.size()) % 9 - 4) * 0.05f;
			rows.add(new float[] { base[0] + shift, base[1] + shift, base[2] + shift, base[3] + shift });
		}
		return rows;
	}

	/**
	 * Checks everything the suite promises for the scenario's jobs and adds its row to
	 * the table (before any assertion, so the table shows failures too).
	 */
	private FaultTable.Outcome verify(String scenario, List<SubmittedJob> jobs, String faults, long start)
			throws Exception {
		List<String> problems = new ArrayList<>();
		Map<String, JsonNode> views = awaitTerminal(jobs);
		int stuck = 0;
		long lost = 0;
		long duplicated = 0;
		long wrong = 0;
		List<SubmittedJob> terminal = new ArrayList<>();
		for (SubmittedJob job : jobs) {
			JsonNode view = views.get(job.id());
			String state = (view != null) ? view.get("state").asString() : "unknown";
			if (!TERMINAL.contains(state)) {
				stuck++;
				problems.add("job " + job.id() + " still " + state + " after " + JOB_TIMEOUT + ": "
						+ ((view != null) ? view.get("counts") : "no answer from the API"));
			}
			else {
				terminal.add(job);
				JsonNode counts = view.get("counts");
				if (counts.get("succeeded").asLong() + counts.get("failed").asLong() != ITEMS) {
					problems.add("job " + job.id() + " is " + state + " with counts " + counts);
				}
			}
			long[] found = checkItems(job, problems);
			lost += found[0];
			duplicated += found[1];
			wrong += found[2];
		}
		duplicated += duplicateRows(jobs, problems);
		int redeliveredBefore = this.receiver.redeliveries();
		awaitWebhooks(terminal);
		int webhooks = 0;
		int webhooksFailed = 0;
		for (SubmittedJob job : terminal) {
			int messages = this.receiver.messagesFor(job.id()).size();
			if (messages == 1) {
				webhooks++;
			}
			else if (messages > 1) {
				webhooks++;
				duplicated += messages - 1;
				problems.add("job " + job.id() + ": " + messages + " distinct webhook messages "
						+ this.receiver.messagesFor(job.id()));
			}
			else if (deliveryFailed(job)) {
				webhooksFailed++;
			}
			else {
				lost++;
				problems.add("job " + job.id() + ": no webhook after " + WEBHOOK_TIMEOUT + "; deliveries: "
						+ deliveries(job).toList());
			}
		}
		if (this.receiver.refusedSignatures() > 0) {
			problems.add(this.receiver.refusedSignatures() + " webhook(s) with a signature that did not verify");
		}
		List<String> shown = new ArrayList<>(problems.subList(0, Math.min(problems.size(), MAX_PROBLEMS_SHOWN)));
		if (problems.size() > MAX_PROBLEMS_SHOWN) {
			shown.add("... and " + (problems.size() - MAX_PROBLEMS_SHOWN) + " more");
		}
		FaultTable.Outcome outcome = new FaultTable.Outcome(scenario, jobs.size(), (long) jobs.size() * ITEMS, faults,
				lost, duplicated, wrong, stuck, webhooks, webhooksFailed,
				this.receiver.redeliveries() - redeliveredBefore, (System.nanoTime() - start) / 1e9, shown);
		this.table.add(outcome);
		log.info("Fault suite: {}: {}", scenario, outcome.clean() ? "nothing lost, duplicated or wrong" : outcome);
		return outcome;
	}

	/** Polls the jobs until all are terminal or time is up; the last view of each. */
	private Map<String, JsonNode> awaitTerminal(List<SubmittedJob> jobs) {
		Map<String, JsonNode> views = new ConcurrentHashMap<>();
		try {
			await().atMost(JOB_TIMEOUT).pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() -> {
				for (SubmittedJob job : jobs) {
					if (!isTerminal(views.get(job.id()))) {
						views.put(job.id(), this.api.get("/v1/jobs/" + job.id()));
					}
				}
				return jobs.stream().allMatch((job) -> isTerminal(views.get(job.id())));
			});
		}
		catch (ConditionTimeoutException ex) {
			log.warn("Fault suite: jobs not terminal after {}", JOB_TIMEOUT);
		}
		return views;
	}

	private static boolean isTerminal(JsonNode view) {
		return view != null && TERMINAL.contains(view.get("state").asString());
	}

	/**
	 * Every index once, with the model's own output.
	 * @return lost, duplicated and wrong items
	 */
	private long[] checkItems(SubmittedJob job, List<String> problems) throws IOException, InterruptedException {
		int[] seen = new int[ITEMS];
		long wrong = 0;
		List<JsonNode> lines = results(job.id());
		for (JsonNode item : lines) {
			long index = item.get("index").asLong();
			if (index < 0 || index >= ITEMS) {
				wrong++;
				problems.add("job " + job.id() + ": a result for index " + index + " of " + ITEMS);
				continue;
			}
			int i = (int) index;
			if (++seen[i] > 1) {
				continue;
			}
			JsonNode output = item.get("output");
			if (output == null) {
				wrong++;
				problems.add("job " + job.id() + ": item " + i + " failed: " + item.get("error"));
			}
			else if (!matches(output, job.expected(), i)) {
				wrong++;
				problems.add("job " + job.id() + ": item " + i + " is " + output + ", the model says class "
						+ job.expected().classes()[i] + " "
						+ java.util.Arrays.toString(job.expected().probabilities()[i]));
			}
		}
		long lost = 0;
		long duplicated = 0;
		for (int i = 0; i < ITEMS; i++) {
			if (seen[i] == 0) {
				lost++;
			}
			duplicated += Math.max(0, seen[i] - 1);
		}
		if (lost > 0 || duplicated > 0) {
			problems.add("job " + job.id() + ": " + lost + " item(s) without a result, " + duplicated
					+ " extra result(s), in " + lines.size() + " result lines");
		}
		return new long[] { lost, duplicated, wrong };
	}

	private static boolean matches(JsonNode output, IrisModel.Outputs expected, int i) {
		if (output.get("class_id").asLong() != expected.classes()[i]) {
			return false;
		}
		for (int c = 0; c < 3; c++) {
			if (Math.abs(output.get("probabilities").get(c).asDouble()
					- expected.probabilities()[i][c]) > PROBABILITY_TOLERANCE) {
				return false;
			}
		}
		return true;
	}

	/**
	 * Rows that PostgreSQL must hold once per job: state transitions, chunk results (no
	 * two covering the same items, one per chunk), the job's own callback deliveries (one
	 * per terminal event).
	 * @return how many rows are duplicates
	 */
	private long duplicateRows(List<SubmittedJob> jobs, List<String> problems) throws SQLException {
		try (Connection db = DriverManager.getConnection(this.pipeline.jdbcUrl(), "postgres", "postgres")) {
			Array ids = db.createArrayOf("uuid", jobs.stream().map(SubmittedJob::id).toArray(String[]::new));
			long duplicates = 0;
			duplicates += query(db, ids, problems, """
					select job_id || ' entered ' || to_state || ' ' || count(*) || ' times', count(*) - 1
					from job_state_history where job_id = any(?) group by job_id, to_state having count(*) > 1
					""");
			duplicates += query(db, ids, problems, """
					select job_id || ': ' || count(*) || ' chunk result rows start at ' || first_index, count(*) - 1
					from chunk_results where job_id = any(?) group by job_id, first_index having count(*) > 1
					""");
			duplicates += query(db, ids, problems, """
					select job_id || ': ' || count(*) || ' callback deliveries of ' || event_type, count(*) - 1
					from webhook_deliveries where job_id = any(?) and endpoint_id is null
					group by job_id, event_type having count(*) > 1
					""");
			query(db, ids, problems, """
					select j.id || ' is ' || j.state || ' with ' || count(r.chunk_no) || ' of ' || j.total_chunks
					       || ' chunk results recorded', 0
					from jobs j left join chunk_results r on r.job_id = j.id where j.id = any(?)
					group by j.id, j.state, j.total_chunks
					having j.state not in ('QUEUED', 'RUNNING') and count(r.chunk_no) <> j.total_chunks
					""");
			return duplicates;
		}
	}

	private static long query(Connection db, Array ids, List<String> problems, String sql) throws SQLException {
		long sum = 0;
		try (PreparedStatement statement = db.prepareStatement(sql)) {
			statement.setArray(1, ids);
			try (ResultSet rows = statement.executeQuery()) {
				while (rows.next()) {
					problems.add("PostgreSQL: " + rows.getString(1));
					sum += rows.getLong(2);
				}
			}
		}
		return sum;
	}

	/**
	 * Waits (bounded) until each terminal job's webhook was accepted or shows as FAILED.
	 */
	private void awaitWebhooks(List<SubmittedJob> jobs) {
		try {
			await().atMost(WEBHOOK_TIMEOUT).pollInterval(Duration.ofMillis(250)).ignoreExceptions().until(() -> {
				for (SubmittedJob job : jobs) {
					if (this.receiver.messagesFor(job.id()).isEmpty() && !deliveryFailed(job)) {
						return false;
					}
				}
				return true;
			});
		}
		catch (ConditionTimeoutException ex) {
			log.warn("Fault suite: webhooks missing after {}", WEBHOOK_TIMEOUT);
		}
	}

	/**
	 * Whether a delivery of these jobs has failed {@code attempts} times and waits for
	 * its next attempt.
	 */
	private boolean betweenRetries(List<SubmittedJob> jobs, int attempts) throws IOException, InterruptedException {
		Set<String> ids = jobs.stream().map(SubmittedJob::id).collect(Collectors.toSet());
		JsonNode page = this.api.get("/v1/webhook-deliveries?status=PENDING&limit=100");
		for (JsonNode delivery : page.get("data")) {
			if (ids.contains(delivery.get("job_id").asString()) && delivery.get("attempts").asInt() >= attempts) {
				return true;
			}
		}
		return false;
	}

	private boolean deliveryFailed(SubmittedJob job) throws IOException, InterruptedException {
		return deliveries(job).anyMatch((delivery) -> "FAILED".equals(delivery.get("status").asString()));
	}

	private Stream<JsonNode> deliveries(SubmittedJob job) throws IOException, InterruptedException {
		JsonNode page = this.api.get("/v1/webhook-deliveries?job_id=" + job.id() + "&limit=100");
		List<JsonNode> all = new ArrayList<>();
		page.get("data").forEach(all::add);
		return all.stream();
	}

	private long done(List<SubmittedJob> jobs) throws IOException, InterruptedException {
		long done = 0;
		for (SubmittedJob job : jobs) {
			JsonNode counts = this.api.get("/v1/jobs/" + job.id()).get("counts");
			done += counts.get("succeeded").asLong() + counts.get("failed").asLong();
		}
		return done;
	}

	private long pending(List<SubmittedJob> jobs) throws IOException, InterruptedException {
		long pending = 0;
		for (SubmittedJob job : jobs) {
			pending += this.api.get("/v1/jobs/" + job.id()).get("counts").get("pending").asLong();
		}
		return pending;
	}

	private double itemsInferred(ServiceProcess worker) throws IOException, InterruptedException {
		String metrics = this.http
			.send(HttpRequest.newBuilder(URI.create(worker.managementUrl("/actuator/prometheus"))).build(),
					HttpResponse.BodyHandlers.ofString())
			.body();
		return metrics.lines()
			.filter((line) -> line.startsWith("batchline_worker_items_total") && line.contains("outcome=\"success\""))
			.mapToDouble((line) -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
			.sum();
	}

	private List<JsonNode> results(String id) throws IOException, InterruptedException {
		HttpResponse<Stream<String>> response = this.http.send(
				this.api.request("/v1/jobs/" + id + "/results").header("Accept", "application/x-ndjson").build(),
				HttpResponse.BodyHandlers.ofLines());
		assertThat(response.statusCode()).as("results of job %s", id).isEqualTo(200);
		try (Stream<String> lines = response.body()) {
			return lines.filter((line) -> !line.isBlank()).map((line) -> EventCodec.tree(line.getBytes())).toList();
		}
	}

	private static void closeQuietly(AutoCloseable closeable) {
		try {
			closeable.close();
		}
		catch (Exception ex) {
			log.warn("Could not close {}: {}", closeable, ex.toString());
		}
	}

}
