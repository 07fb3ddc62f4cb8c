package dev.batchline.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The alert rules and the dashboard in {@code deploy/}, checked by Prometheus's own
 * {@code promtool} (Debian's {@code prometheus} package, which the build installs when it
 * is missing): the rules load, their unit tests pass, and every query of the dashboard is
 * valid PromQL. That each metric they read is exported is checked against the running
 * services by {@link PipelineEndToEndIntegrationTests}.
 */
class MonitoringIntegrationTests {

	private static final Set<String> SEVERITIES = Set.of("warning", "critical");

	@Test
	void theAlertRulesLoadAndPassTheirUnitTests() throws Exception {
		promtool("check", "rules", MonitoringFiles.ALERTS);
		promtool("test", "rules", MonitoringFiles.ALERT_TESTS);
	}

	@Test
	void everyAlertHasASeverityADurationItsRunbookAndTestsThatItFiresAndDoesNot() throws IOException {
		JsonNode tests = new YAMLMapper()
			.readTree(Files.readString(MonitoringFiles.root().resolve(MonitoringFiles.ALERT_TESTS)));
		Set<String> fired = new HashSet<>();
		Set<String> quiet = new HashSet<>();
		for (JsonNode test : tests.get("tests")) {
			for (JsonNode check : test.get("alert_rule_test")) {
				(check.get("exp_alerts").isEmpty() ? quiet : fired).add(check.get("alertname").asString());
			}
		}
		String operations = Files.readString(MonitoringFiles.root().resolve("docs/operations.md"));
		List<JsonNode> rules = MonitoringFiles.alertRules();
		assertThat(rules).isNotEmpty();
		for (JsonNode rule : rules) {
			String name = rule.get("alert").asString();
			assertThat(rule.path("for").asString()).as("for: of %s", name).matches("[1-9][0-9]*[smh]");
			assertThat(rule.at("/labels/severity").asString()).as("severity of %s", name).isIn(SEVERITIES);
			for (String annotation : List.of("summary", "description", "runbook_url")) {
				assertThat(rule.at("/annotations/" + annotation).asString()).as("%s of %s", annotation, name)
					.isNotBlank();
			}
			assertThat(fired).as("a test in which %s fires", name).contains(name);
			assertThat(quiet).as("a test in which %s does not fire", name).contains(name);
			assertThat(operations).as("%s in docs/operations.md", name).contains("`" + name + "`");
		}
	}

	@Test
	void theDashboardIsAGrafanaDashboardOnAPrometheusDatasourceVariable() throws IOException {
		JsonNode dashboard = MonitoringFiles.dashboard();
		assertThat(dashboard.get("schemaVersion").isInt()).isTrue();
		assertThat(dashboard.get("uid").asString()).isEqualTo("batchline");
		assertThat(dashboard.get("title").asString()).isNotBlank();
		JsonNode variable = dashboard.at("/templating/list/0");
		assertThat(variable.get("name").asString()).isEqualTo("datasource");
		assertThat(variable.get("type").asString()).isEqualTo("datasource");
		assertThat(variable.get("query").asString()).isEqualTo("prometheus");
		Set<Integer> ids = new HashSet<>();
		int queries = 0;
		for (JsonNode panel : dashboard.get("panels")) {
			assertThat(ids.add(panel.get("id").asInt())).as("panel id %s unique", panel.get("id")).isTrue();
			assertThat(panel.get("gridPos").get("w").asInt()).isBetween(1, 24);
			if (panel.get("type").asString().equals("row")) {
				continue;
			}
			String title = panel.get("title").asString();
			assertThat(panel.at("/datasource/uid").asString()).as("datasource of %s", title).isEqualTo("${datasource}");
			assertThat(panel.get("targets")).as("queries of %s", title).isNotEmpty();
			Set<String> refIds = new HashSet<>();
			for (JsonNode target : panel.get("targets")) {
				assertThat(refIds.add(target.get("refId").asString())).as("refIds of %s", title).isTrue();
				assertThat(target.at("/datasource/uid").asString()).isEqualTo("${datasource}");
				queries++;
			}
		}
		assertThat(queries).isGreaterThanOrEqualTo(15);
	}

	@Test
	void everyQueryOfTheDashboardIsValidPromQl(@TempDir Path dir) throws Exception {
		// promtool checks rule files only: each query becomes a recording rule, with
		// Grafana's $__rate_interval as a duration
		StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
		List<String> expressions = MonitoringFiles.dashboardExpressions();
		for (int i = 0; i < expressions.size(); i++) {
			String expression = expressions.get(i).replace("$__rate_interval", "5m");
			assertThat(expression).as("query %d uses no other Grafana variable", i).doesNotContain("$");
			rules.append("      - record: dashboard:query_")
				.append(i)
				.append("\n        expr: '")
				.append(expression.replace("'", "''"))
				.append("'\n");
		}
		Path file = dir.resolve("dashboard-queries.yml");
		Files.writeString(file, rules);
		String out = promtool("check", "rules", file.toString());
		assertThat(out).contains("SUCCESS: " + expressions.size() + " rules found");
	}

	@Test
	void metricNamesAreTakenFromExpressionsWithoutFunctionsLabelsOrKeywords() {
		assertThat(MonitoringFiles
			.metricNames("max by (group, topic) (batchline_consumer_lag{topic=~\".*[.]chunks\"}) > 1000"))
			.containsExactly("batchline_consumer_lag");
		assertThat(MonitoringFiles.metricNames("""
				sum by (job) (rate(http_server_requests_seconds_count{outcome="SERVER_ERROR"}[$__rate_interval]))
				  / sum by (job) (rate(up [5m])) > 0.05 and on() sum(increase(a:b_total[1h] offset 5m)) == 1e3
				or histogram_quantile(0.95, sum by (le) (rate(x_bucket[5m]))) unless count without (instance) (y)"""))
			.containsExactly("a:b_total", "http_server_requests_seconds_count", "up", "x_bucket", "y");
		assertThat(MonitoringFiles.metricNames("batchline_outbox_pending != batchline_outbox_pending"))
			.containsExactly("batchline_outbox_pending");
	}

	/**
	 * Runs promtool in the repository's root; fails the test with its output unless it
	 * exits 0.
	 */
	private static String promtool(String... arguments) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>(List.of("promtool"));
		command.addAll(List.of(arguments));
		Process process;
		try {
			process = new ProcessBuilder(command).directory(MonitoringFiles.root().toFile())
				.redirectErrorStream(true)
				.start();
		}
		catch (IOException ex) {
			return fail("promtool is not installed (Debian's prometheus package; the build installs it with "
					+ "scripts/ensure-packages.sh when it may): " + ex.getMessage());
		}
		String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
		assertThat(process.exitValue()).as("%s:%n%s", String.join(" ", command), out).isZero();
		return out;
	}

}
