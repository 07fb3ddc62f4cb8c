package dev.batchline.system;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import com.sun.net.httpserver.HttpServer;
import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.Topics;
import dev.batchline.launcher.ServiceProcess;
import dev.batchline.testsupport.Fixtures;
import dev.batchline.testsupport.TestKafka;
import dev.batchline.testsupport.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The web console in a real browser (headless Chromium driven by Selenium) against the
 * whole pipeline as separate processes: the packaged api-service, a worker running the
 * Iris model through DJL, and the webhook dispatcher delivering to a receiver of this
 * test. A person signs in, adds a webhook endpoint, submits an NDJSON file, watches the
 * job finish live, reads its results, replays its webhook, looks at the models, and as
 * admin at the workers, consumer lag and tenants. Any error in the browser's console
 * fails the test. Each page is saved as a PNG in {@code batchline.console.screenshots}
 * (the docs' screenshots: {@code -Dbatchline.console.screenshots=$PWD/docs/console}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserIntegrationTests {

	private static final String ADMIN_TOKEN = "console-admin-token";

	private static final Topics TOPICS = new Topics("console");

	private static final int ITEMS = 20_000;

	private static final Duration WAIT = Duration.ofSeconds(60);

	private static final Path CHROMIUM = Path.of(System.getProperty("batchline.browser.chromium", "/usr/bin/chromium"));

	private static final Path CHROMEDRIVER = Path
		.of(System.getProperty("batchline.browser.chromedriver", "/usr/bin/chromedriver"));

	private static final Path SCREENSHOTS = Path
		.of(System.getProperty("batchline.console.screenshots", "target/console-screenshots"));

	private final HttpClient http = HttpClient.newHttpClient();

	private final List<ServiceProcess> services = new ArrayList<>();

	/** The {@code webhook-id} of every message the receiver got. */
	private final List<String> received = new CopyOnWriteArrayList<>();

	private HttpServer receiver;

	private ServiceProcess api;

	private String apiKey;

	private WebDriver browser;

	private WebDriverWait wait;

	private WebDriverWait refreshing;

	@BeforeAll
	void startPipelineAndBrowser() throws IOException {
		assertThat(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER))
			.as("The console's browser test needs Chromium and its driver: %s and %s. Install them with "
					+ "'apt-get install chromium chromium-driver' (Debian/Ubuntu; scripts/ensure-packages.sh does "
					+ "it in the build when it may), or point -Dbatchline.browser.chromium and "
					+ "-Dbatchline.browser.chromedriver at them", CHROMIUM, CHROMEDRIVER)
			.isTrue();
		this.receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		this.receiver.createContext("/hook", (exchange) -> {
			exchange.getRequestBody().readAllBytes();
			this.received.add(exchange.getRequestHeaders().getFirst("webhook-id"));
			exchange.sendResponseHeaders(204, -1);
			exchange.close();
		});
		this.receiver.start();

		TestPostgres.Database database = TestPostgres.newDatabase();
		Map<String, String> common = Map.of("SPRING_KAFKA_BOOTSTRAP_SERVERS", TestKafka.bootstrapServers(),
				"BATCHLINE_TOPICS_PREFIX", TOPICS.prefix(), "BATCHLINE_TOPICS_PARTITIONS", "2");
		Map<String, String> apiEnv = new HashMap<>(common);
		apiEnv.putAll(Map.of("SPRING_DATASOURCE_URL", database.url(), "SPRING_DATASOURCE_USERNAME", database.username(),
				"SPRING_DATASOURCE_PASSWORD", database.password(), "BATCHLINE_WEBHOOKS_ALLOW_PRIVATE_NETWORKS",
				"true"));
		Map<String, String> dispatcherEnv = new HashMap<>(apiEnv);
		dispatcherEnv.put("BATCHLINE_WEBHOOKS_POLL_INTERVAL", "200ms");
		apiEnv.put("BATCHLINE_API_ADMIN_TOKEN", ADMIN_TOKEN);
		Map<String, String> workerEnv = new HashMap<>(common);
		workerEnv.put("BATCHLINE_WORKER_ANNOUNCE_WORKER_ID", "console-worker");
		this.api = track(PipelineEndToEndIntegrationTests.start("api-service", "console-api-service", apiEnv));
		ServiceProcess worker = track(
				PipelineEndToEndIntegrationTests.start("worker-service", "console-worker", workerEnv));
		this.api.awaitReady();
		// after the api-service has migrated the database
		ServiceProcess dispatcher = track(
				PipelineEndToEndIntegrationTests.start("webhook-dispatcher", "console-dispatcher", dispatcherEnv));
		worker.awaitReady();
		dispatcher.awaitReady();
		this.apiKey = call("POST", "/v1/admin/tenants", ADMIN_TOKEN, "{\"name\":\"console\"}").get("api_key")
			.asString();
		await().atMost(WAIT).until(() -> call("GET", "/v1/models", this.apiKey, null).toString().contains("iris"));

		ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
			.usingAnyFreePort()
			.build();
		ChromeOptions options = new ChromeOptions();
		options.setBinary(CHROMIUM.toFile());
		// --no-sandbox: CI runs as root, where Chromium's sandbox cannot start
		options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900",
				"--lang=en-GB");
		LoggingPreferences logs = new LoggingPreferences();
		logs.enable(LogType.BROWSER, java.util.logging.Level.ALL);
		options.setCapability("goog:loggingPrefs", logs);
		this.browser = new ChromeDriver(service, options);
		this.wait = waitFor(Duration.ofMillis(100));
		// a wait that clicks Refresh: once a second, within the tenant's rate limit
		this.refreshing = waitFor(Duration.ofSeconds(1));
		Files.createDirectories(SCREENSHOTS);
	}

	@AfterAll
	void stopEverything() {
		if (this.browser != null) {
			this.browser.quit();
		}
		this.services.forEach(ServiceProcess::close);
		if (this.receiver != null) {
			this.receiver.stop(0);
		}
	}

	@Test
	@Order(1)
	void aTenantSignsInSubmitsAFileWatchesItFinishAndReplaysItsWebhook() throws IOException {
		this.browser.get(this.api.url("/console/"));
		awaitHeading("Sign in");
		screenshot("sign-in");
		type("api-key", this.apiKey);
		click(By.xpath("//button[.='Sign in']"));
		awaitHeading("Jobs");
		assertThat(script("return sessionStorage.getItem('batchline.apiKey')")).isEqualTo(this.apiKey);
		assertThat(script("return localStorage.length")).isEqualTo(0L);
		assertThat(script("return document.cookie")).isEqualTo("");
		assertThat(this.browser.manage().getCookies()).isEmpty();
		noConsoleErrors();

		// a webhook endpoint first, so the job's terminal event is delivered
		click(By.linkText("Webhooks"));
		awaitHeading("Webhooks");
		String hook = "http://127.0.0.1:" + this.receiver.getAddress().getPort() + "/hook";
		type("endpoint-url", hook);
		type("endpoint-description", "console test receiver");
		click(By.xpath("//button[.='Add endpoint']"));
		this.wait.until((b) -> text("notice").contains("signing secret"));
		assertThat(text("main")).contains(hook);
		noConsoleErrors();

		// an NDJSON file, uploaded through the form; its row follows the job live
		Path file = Files.createTempFile("console-items", ".ndjson");
		Files.writeString(file,
				IntStream.range(0, ITEMS)
					.mapToObj((i) -> Fixtures.IRIS_ROWS.get(i % Fixtures.IRIS_ROWS.size()))
					.collect(Collectors.joining("\n")));
		click(By.linkText("Jobs"));
		awaitHeading("Jobs");
		new Select(this.browser.findElement(By.id("submit-model"))).selectByValue("iris");
		this.browser.findElement(By.id("submit-file")).sendKeys(file.toAbsolutePath().toString());
		click(By.xpath("//button[.='Submit']"));
		this.wait.until((b) -> text("notice").contains("submitted: " + ITEMS + " items"));
		String jobId = this.browser.findElement(By.cssSelector("#notice a")).getText();
		// the list as rendered after the submission (aria-busy gone), not one still
		// loading
		WebElement row = this.wait.until((b) -> (b.findElement(By.id("main")).getDomAttribute("aria-busy") == null)
				? b.findElement(By.cssSelector("tr[data-job='" + jobId + "']")) : null);
		// the state cell, which stays; its badge is replaced with each state event
		String firstState = row.findElement(By.cssSelector("td:nth-child(3)")).getText();
		assertThat(firstState).as("the job's state when the list showed it").isIn("QUEUED", "RUNNING");
		// the same row, never re-rendered: the state comes from the event stream
		new WebDriverWait(this.browser, WAIT, Duration.ofMillis(100))
			.until((b) -> row.findElement(By.cssSelector("td:nth-child(3)")).getText().equals("SUCCEEDED"));
		WebElement progress = row.findElement(By.tagName("progress"));
		assertThat(progress.getDomProperty("value")).isEqualTo(String.valueOf(ITEMS));
		assertThat(row.getText()).contains(ITEMS + " / " + ITEMS);
		screenshot("jobs");
		noConsoleErrors();

		// the job's page: history, counts, the first results of real inference
		click(By.linkText(jobId));
		awaitHeading("Job " + jobId);
		WebElement results = this.wait.until((b) -> b.findElement(By.xpath("//table[caption='First results']")));
		List<WebElement> resultRows = results.findElements(By.cssSelector("tbody tr"));
		assertThat(resultRows).hasSize(20);
		assertThat(resultRows.get(0).findElements(By.tagName("td")).get(0).getText()).isEqualTo("0");
		assertThat(resultRows.get(0).getText()).contains("\"class_id\":0").contains("probabilities");
		assertThat(text("main")).contains("No failed items.");
		String history = this.browser.findElement(By.xpath("//table[caption='State history']")).getText();
		assertThat(history).contains("QUEUED", "RUNNING", "SUCCEEDED", "submitted");
		assertThat(this.browser.findElement(By.xpath("//table[caption='Counts']")).getText())
			.contains(ITEMS + " " + ITEMS + " 0 0 0");
		screenshot("job");
		noConsoleErrors();

		// the job's webhook delivered, then replayed from the console: the receiver gets
		// the same message again
		click(By.linkText("Webhooks"));
		awaitHeading("Webhooks");
		await().atMost(WAIT).until(() -> this.received.size() == 1);
		String messageId = this.received.get(0);
		WebElement replay = refreshUntil((b) -> b.findElement(By.xpath(
				"//table[caption='Deliveries, newest first']//tr[contains(., 'job.succeeded') and contains(., 'SUCCEEDED')]//button[.='Replay']")));
		String deliveryId = replay.getDomAttribute("aria-label").substring("Replay delivery ".length());
		replay.click();
		this.wait.until((b) -> text("notice").contains("Replay of delivery " + deliveryId));
		await().atMost(WAIT).until(() -> this.received.size() == 2);
		assertThat(this.received).containsExactly(messageId, messageId);
		// sent again (the receiver has it), then recorded
		refreshUntil((b) -> b
			.findElement(By.xpath("//table[caption='Deliveries, newest first']//tr[contains(., 'job.succeeded')]"))
			.getText()
			.contains("SUCCEEDED"));
		screenshot("webhooks");
		noConsoleErrors();

		click(By.linkText(deliveryId.substring(0, 8)));
		awaitHeading("Delivery " + deliveryId);
		WebElement attempts = this.wait
			.until((b) -> b.findElement(By.xpath("//table[caption='Every attempt, oldest first']")));
		assertThat(attempts.findElements(By.cssSelector("tbody tr"))).hasSize(2);
		assertThat(attempts.getText()).contains("HTTP 204");
		screenshot("delivery");
		noConsoleErrors();

		click(By.linkText("Models"));
		awaitHeading("Models");
		assertThat(this.browser.findElement(By.xpath("//table[caption='Served models']")).getText()).contains("iris");
		click(By.linkText("iris"));
		awaitHeading("Model iris");
		assertThat(this.browser.findElement(By.xpath("//table[caption='Served versions']")).getText())
			.contains("features float32 [-1, 4]");
		screenshot("models");
		noConsoleErrors();
	}

	@Test
	@Order(2)
	void theAdminSeesWorkersConsumerLagAndTenants() throws IOException {
		this.browser.get(this.api.url("/console/#/admin"));
		awaitHeading("Admin");
		type("admin-token", ADMIN_TOKEN);
		click(By.xpath("//button[.='Sign in as admin']"));
		WebElement workers = this.wait
			.until((b) -> b.findElement(By.xpath("//table[caption='Workers, as they announce themselves']")));
		assertThat(workers.getText()).contains("console-worker", "iris:1");
		String lag = this.browser
			.findElement(By.xpath("//table[caption='Records each consumer group has yet to consume']"))
			.getText();
		// the recorders commit past the marker of the workers' last transaction, so
		// nothing left to consume reads 0
		assertThat(lag).contains("batchline-workers console.chunks 0")
			.contains("batchline-recorders console.results 0\n")
			.containsPattern("batchline-webhook-dispatcher console.job-events \\d+\\n");
		assertThat(this.browser.findElement(By.xpath("//table[caption='Tenants, newest first']")).getText())
			.contains("console");
		assertThat(script("return sessionStorage.getItem('batchline.adminToken')")).isEqualTo(ADMIN_TOKEN);
		screenshot("admin");
		noConsoleErrors();

		click(By.id("sign-out"));
		awaitHeading("Sign in");
		assertThat(script("return sessionStorage.length")).isEqualTo(0L);
		noConsoleErrors();
	}

	/** Waits for a page: its heading, and its data loaded ({@code aria-busy} gone). */
	private void awaitHeading(String heading) {
		this.wait.until((b) -> b.findElement(By.tagName("h1")).getText().equals(heading)
				&& b.findElement(By.id("main")).getDomAttribute("aria-busy") == null);
	}

	private void type(String id, String text) {
		WebElement input = this.wait.until((b) -> b.findElement(By.id(id)));
		input.clear();
		input.sendKeys(text);
	}

	private void click(By by) {
		this.wait.until((b) -> {
			b.findElement(by).click();
			return true;
		});
	}

	/**
	 * Waits until the page shows what the condition looks for (not null, not false),
	 * pressing the page's Refresh button once a second until it does.
	 */
	private <T> T refreshUntil(Function<WebDriver, T> condition) {
		return this.refreshing.until((b) -> {
			this.wait.until((loaded) -> loaded.findElement(By.id("main")).getDomAttribute("aria-busy") == null);
			T value;
			try {
				value = condition.apply(b);
			}
			catch (NoSuchElementException ex) {
				value = null;
			}
			if (value == null || Boolean.FALSE.equals(value)) {
				b.findElement(By.xpath("//button[.='Refresh']")).click();
				return null;
			}
			return value;
		});
	}

	/** A wait that tries again while the page is being rendered anew. */
	private WebDriverWait waitFor(Duration poll) {
		WebDriverWait wait = new WebDriverWait(this.browser, WAIT, poll);
		wait.ignoring(StaleElementReferenceException.class);
		return wait;
	}

	private String text(String id) {
		return this.browser.findElement(By.id(id)).getText();
	}

	private Object script(String script) {
		return ((JavascriptExecutor) this.browser).executeScript(script);
	}

	/**
	 * Fails on anything the browser logged as an error: scripts, requests, the policy.
	 */
	private void noConsoleErrors() {
		List<String> errors = this.browser.manage()
			.logs()
			.get(LogType.BROWSER)
			.getAll()
			.stream()
			.filter((entry) -> entry.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()
					|| entry.getMessage().contains("Content Security Policy"))
			.map(LogEntry::toString)
			.toList();
		assertThat(errors).as("the browser's console").isEmpty();
	}

	/** The whole page as a PNG, the window stretched to its height. */
	private void screenshot(String name) throws IOException {
		long height = (Long) script(
				"return document.documentElement.scrollHeight + window.outerHeight - window.innerHeight");
		Dimension before = this.browser.manage().window().getSize();
		this.browser.manage().window().setSize(new Dimension(1280, (int) Math.min(Math.max(height, 600), 4000)));
		try {
			Files.write(SCREENSHOTS.resolve(name + ".png"),
					((TakesScreenshot) this.browser).getScreenshotAs(OutputType.BYTES));
		}
		finally {
			this.browser.manage().window().setSize(before);
		}
	}

	private ServiceProcess track(ServiceProcess service) {
		this.services.add(service);
		return service;
	}

	private JsonNode call(String method, String path, String token, String json) throws IOException {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(this.api.url(path)))
			.header("Authorization", "Bearer " + token)
			.header("Content-Type", "application/json")
			.method(method, (json != null) ? HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)
					: HttpRequest.BodyPublishers.noBody());
		try {
			HttpResponse<byte[]> response = this.http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
			assertThat(response.statusCode()).as(new String(response.body(), StandardCharsets.UTF_8)).isLessThan(300);
			return EventCodec.tree(response.body());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IOException(ex);
		}
	}

}
