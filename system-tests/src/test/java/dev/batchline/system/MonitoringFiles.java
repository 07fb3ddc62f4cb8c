package dev.batchline.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * What ships in {@code deploy/} for monitoring: the alert rules
 * ({@code deploy/prometheus/alerts.yml}) and the Grafana dashboard
 * ({@code deploy/grafana/batchline.json}), read as their tools read them, and the metric
 * names their PromQL expressions use.
 */
final class MonitoringFiles {

	static final String ALERTS = "deploy/prometheus/alerts.yml";

	static final String ALERT_TESTS = "deploy/prometheus/alerts-test.yml";

	static final String DASHBOARD = "deploy/grafana/batchline.json";

	/** Quoted strings, with their escapes. */
	private static final Pattern STRINGS = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");

	/** Label matchers and range or subquery selectors. */
	private static final Pattern BRACES = Pattern.compile("\\{[^}]*}|\\[[^]]*]");

	/** Label lists of aggregations and vector matching. */
	private static final Pattern LABEL_LISTS = Pattern
		.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");

	/** Identifiers, not inside another word, a number or a Grafana variable. */
	private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w:.$])[a-zA-Z_:][\\w:]*");

	/** Words of PromQL that are not metric names when no parenthesis follows them. */
	private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without", "on",
			"ignoring", "group_left", "group_right", "inf", "nan", "atan2", "sum", "min", "max", "avg", "group",
			"stddev", "stdvar", "count", "count_values", "bottomk", "topk", "quantile");

	private MonitoringFiles() {
	}

	/** The repository's root, as the build passes it. */
	static Path root() {
		return Path.of(System.getProperty("batchline.repo.root", "..")).toAbsolutePath().normalize();
	}

	/** The alert rules: every rule of every group. */
	static List<JsonNode> alertRules() throws IOException {
		JsonNode rules = new YAMLMapper().readTree(Files.readString(root().resolve(ALERTS)));
		List<JsonNode> all = new ArrayList<>();
		rules.get("groups").forEach((group) -> group.get("rules").forEach(all::add));
		return all;
	}

	/** The dashboard as Grafana reads it. */
	static JsonNode dashboard() throws IOException {
		return new ObjectMapper().readTree(Files.readString(root().resolve(DASHBOARD)));
	}

	/** The PromQL expressions of the dashboard's panels, as Grafana sends them. */
	static List<String> dashboardExpressions() throws IOException {
		List<String> expressions = new ArrayList<>();
		for (JsonNode panel : dashboard().get("panels")) {
			for (JsonNode target : panel.path("targets")) {
				expressions.add(target.get("expr").asString());
			}
		}
		return expressions;
	}

	/** The expressions of the alert rules and of the dashboard. */
	static List<String> allExpressions() throws IOException {
		List<String> expressions = new ArrayList<>();
		alertRules().forEach((rule) -> expressions.add(rule.get("expr").asString()));
		expressions.addAll(dashboardExpressions());
		return expressions;
	}

	/**
	 * The metric names a PromQL expression selects: its identifiers once strings, label
	 * matchers, range selectors and label lists are taken out, less function calls (an
	 * identifier followed by a parenthesis) and PromQL's keywords.
	 * @param promql the expression
	 * @return the metric names, sorted
	 */
	static Set<String> metricNames(String promql) {
		String bare = STRINGS.matcher(promql).replaceAll(" ");
		bare = BRACES.matcher(bare).replaceAll(" ");
		bare = LABEL_LISTS.matcher(bare).replaceAll(" ");
		Set<String> names = new TreeSet<>();
		Matcher identifier = IDENTIFIER.matcher(bare);
		while (identifier.find()) {
			String name = identifier.group();
			boolean call = bare.substring(identifier.end()).stripLeading().startsWith("(");
			if (!call && !KEYWORDS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
				names.add(name);
			}
		}
		return names;
	}

}
