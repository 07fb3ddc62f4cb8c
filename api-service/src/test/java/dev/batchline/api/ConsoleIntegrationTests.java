package dev.batchline.api;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;

import static dev.batchline.api.ApiClient.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The web console's files are served without a key, with a policy that lets them load
 * nothing but the service's own files, while every data call still needs the key. (The
 * console itself, in a browser against the whole pipeline, is the system tests'
 * {@code ConsoleBrowserIntegrationTests}.)
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "batchline.api.admin-token=test-admin-token", "batchline.api.limits.enabled=false",
				"batchline.topics.prefix=admin-it", "batchline.topics.partitions=1",
				"batchline.api.jobs.worker-group=admin-it-workers" })
class ConsoleIntegrationTests extends ApiIntegrationTest {

	private final HttpClient http = HttpClient.newHttpClient();

	ConsoleIntegrationTests() {
		super("admin-it", null);
	}

	@Test
	void theConsolesFilesAreServedWithoutAKeyAndLoadOnlyTheServicesOwnFiles() throws Exception {
		HttpResponse<String> page = get("/console/");
		assertThat(page.statusCode()).isEqualTo(200);
		assertThat(page.headers().firstValue("Content-Type"))
			.hasValueSatisfying((type) -> type.startsWith("text/html"));
		assertThat(page.body()).contains("<script type=\"module\" src=\"console.js\"></script>")
			.doesNotContain("http://", "https://");
		assertThat(page.headers().firstValue("Content-Security-Policy"))
			.hasValue("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
					+ "form-action 'self'; base-uri 'none'; frame-ancestors 'none'");
		assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
		assertThat(page.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
		assertThat(page.headers().firstValue("Set-Cookie")).isEmpty();

		HttpResponse<String> script = get("/console/console.js");
		assertThat(script.statusCode()).isEqualTo(200);
		assertThat(script.headers().firstValue("Content-Type"))
			.hasValueSatisfying((type) -> type.startsWith("text/javascript"));
		assertThat(script.body()).contains("sessionStorage").doesNotContain("localStorage", "document.cookie");
		assertThat(get("/console/console.css").statusCode()).isEqualTo(200);
		assertThat(get("/console/favicon.svg").statusCode()).isEqualTo(200);

		HttpResponse<String> bare = get("/console");
		assertThat(bare.statusCode()).isEqualTo(302);
		assertThat(bare.headers().firstValue("Location")).hasValueSatisfying((to) -> to.endsWith("/console/"));
	}

	@Test
	void aMissingConsoleFileIsAProblemAndEveryDataCallStillNeedsTheKey() throws Exception {
		HttpResponse<String> missing = get("/console/nothing-here.js");
		assertThat(missing.statusCode()).isEqualTo(404);
		assertThat(missing.headers().firstValue("Content-Type")).hasValue("application/problem+json");

		ApiClient anonymous = this.api.withToken(null);
		assertProblem(anonymous.get("/v1/jobs"), 401, "unauthorized", null);
		// a path through the console's folder is still the path it resolves to
		assertThat(get("/console/../v1/jobs").statusCode()).isEqualTo(401);
		assertThat(get("/console/%2e%2e/v1/models").statusCode()).isIn(400, 401);
		assertThat(get("/console;x/../v1/models").statusCode()).isIn(400, 401);
	}

	private HttpResponse<String> get(String path) throws IOException, InterruptedException {
		return this.http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path)).build(),
				HttpResponse.BodyHandlers.ofString());
	}

}
