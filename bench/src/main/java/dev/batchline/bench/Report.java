package dev.batchline.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.batchline.contracts.EventCodec;
import dev.batchline.launcher.Console;
import tools.jackson.databind.JsonNode;

/**
 * The benchmark's findings: one row per figure (scenario, figure, limit, ratio, target,
 * result), notes, memory peaks and the machine, printed as a table and written as JSON
 * and Markdown.
 */
final class Report {

	/**
	 * One figure.
	 *
	 * @param scenario the scenario
	 * @param figure what was measured
	 * @param value the measured figure: median (min–max) of the rounds
	 * @param limit the limit it is compared with, or "—"
	 * @param ratio value / limit, or "—"
	 * @param target the target, or "—"
	 * @param result PASS, FAIL, or "—" when there is no target
	 */
	record Row(String scenario, String figure, String value, String limit, String ratio, String target, String result) {
	}

	private static final String CPU_HEADING = "Cores used (from /proc; the workers' threads by name; idle: no process)";

	private final List<Row> rows = new ArrayList<>();

	private final List<String> notes = new ArrayList<>();

	private final Map<String, Map<String, Long>> memory = new LinkedHashMap<>();

	private final Map<String, Map<String, Double>> cpu = new LinkedHashMap<>();

	private final Map<String, Object> settings = new LinkedHashMap<>();

	private final Instant started = Instant.now();

	private final Map<String, Object> machine = machine();

	void add(Row row) {
		insert(this.rows.size(), row);
	}

	private void insert(int at, Row row) {
		this.rows.add(at, row);
		Console.line(String.format("    %-22s %-38s %s", row.scenario(), row.figure(), row.value()));
	}

	/** A figure without a limit or target. */
	void info(String scenario, String figure, String value) {
		add(new Row(scenario, figure, value, "—", "—", "—", "—"));
	}

	/** A figure against an upper bound. */
	void atMost(String scenario, String figure, Stats stats, String pattern, double bound, String unit) {
		add(new Row(scenario, figure, stats.format(pattern) + " " + unit, "—", "—",
				"< " + String.format(pattern, bound) + " " + unit, (stats.median() < bound) ? "PASS" : "FAIL"));
	}

	/**
	 * A figure against an upper bound, beside a limit measured in the same run that it
	 * cannot beat (a floor); the ratio is shown, the bound decides.
	 */
	void atMostBeside(String scenario, String figure, Stats value, Stats limit, String pattern, double bound,
			String unit) {
		add(new Row(scenario, figure, value.format(pattern) + " " + unit, limit.format(pattern) + " " + unit,
				String.format("%.3f", value.median() / limit.median()),
				"< " + String.format(pattern, bound) + " " + unit, (value.median() < bound) ? "PASS" : "FAIL"));
	}

	/** A figure against a limit measured in the same run, with a target ratio. */
	void ratio(String scenario, String figure, Stats value, Stats limit, String pattern, String unit,
			Double targetRatio) {
		double ratio = value.median() / limit.median();
		String result = (targetRatio == null) ? "—" : (ratio >= targetRatio) ? "PASS" : "FAIL";
		add(new Row(scenario, figure, value.format(pattern) + " " + unit, limit.format(pattern) + " " + unit,
				String.format("%.3f", ratio), (targetRatio != null) ? String.format("≥ %.2f", targetRatio) : "—",
				result));
	}

	/**
	 * A figure against a limit measured in the same run, with a ratio it must not pass.
	 */
	void ratioAtMost(String scenario, String figure, Stats value, Stats limit, String pattern, String unit,
			double maxRatio) {
		double ratio = value.median() / limit.median();
		add(new Row(scenario, figure, value.format(pattern) + " " + unit, limit.format(pattern) + " " + unit,
				String.format("%.3f", ratio), String.format("≤ %.2f", maxRatio),
				(ratio <= maxRatio) ? "PASS" : "FAIL"));
	}

	/**
	 * Takes in what another run wrote with {@link #write(Path)}: its rows after this
	 * report's last row of scenario 1 (else at the end), its memory peaks, cores and
	 * notes.
	 */
	void merge(Path written) throws IOException {
		JsonNode other = EventCodec.mapper().readTree(Files.readAllBytes(written));
		int at = this.rows.size();
		for (int r = this.rows.size() - 1; r >= 0; r--) {
			if (this.rows.get(r).scenario().startsWith("1 ")) {
				at = r + 1;
				break;
			}
		}
		for (JsonNode row : other.get("rows")) {
			Row taken = new Row(row.get("scenario").asString(), row.get("figure").asString(),
					row.get("value").asString(), row.get("limit").asString(), row.get("ratio").asString(),
					row.get("target").asString(), row.get("result").asString());
			insert(at++, taken);
		}
		other.get("memory_peak_mb").properties().forEach((phase) -> {
			Map<String, Long> peaks = new LinkedHashMap<>();
			phase.getValue().properties().forEach((e) -> peaks.put(e.getKey(), e.getValue().asLong()));
			this.memory.put(phase.getKey(), peaks);
		});
		other.get("cpu_cores").properties().forEach((phase) -> {
			Map<String, Double> cores = new LinkedHashMap<>();
			phase.getValue().properties().forEach((e) -> cores.put(e.getKey(), e.getValue().asDouble()));
			this.cpu.put(phase.getKey(), cores);
		});
		other.get("notes").forEach((note) -> note(note.asString()));
	}

	/** Writes the rows, memory peaks, cores and notes, for {@link #merge(Path)}. */
	void write(Path file) throws IOException {
		Map<String, Object> json = new LinkedHashMap<>();
		json.put("rows", this.rows);
		json.put("memory_peak_mb", this.memory);
		json.put("cpu_cores", this.cpu);
		json.put("notes", this.notes);
		Files.write(file, EventCodec.mapper().writeValueAsBytes(json));
	}

	void note(String note) {
		this.notes.add(note);
		Console.step(note);
	}

	void memory(String phase, Map<String, Long> peaks) {
		this.memory.put(phase, peaks);
	}

	/** Cores each process used in a phase ({@link CpuSampler}). */
	void cpu(String phase, Map<String, Double> cores) {
		if (!cores.isEmpty()) {
			this.cpu.put(phase, cores);
		}
	}

	void setting(String name, Object value) {
		this.settings.put(name, value);
	}

	/**
	 * Prints the table and writes {@code
	 *
	<dir>
	 * /bench-<time>.{json,md}} and latest.*.
	 */
	void finish(Path dir) throws IOException {
		String table = table();
		Console.line("");
		Console.line(table);
		Files.createDirectories(dir);
		String stamp = this.started.toString().replace(":", "").replaceAll("\\.\\d+", "");
		Map<String, Object> json = new LinkedHashMap<>();
		json.put("started", this.started.toString());
		json.put("finished", Instant.now().toString());
		json.put("machine", this.machine);
		json.put("load_average_at_end", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
		json.put("settings", this.settings);
		json.put("rows", this.rows);
		json.put("memory_peak_mb", this.memory);
		json.put("cpu_cores", this.cpu);
		json.put("notes", this.notes);
		byte[] bytes = EventCodec.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(json);
		Files.write(dir.resolve("bench-" + stamp + ".json"), bytes);
		Files.write(dir.resolve("latest.json"), bytes);
		String markdown = markdown();
		Files.writeString(dir.resolve("bench-" + stamp + ".md"), markdown);
		Files.writeString(dir.resolve("latest.md"), markdown);
		Console.step("Results written to " + dir.resolve("bench-" + stamp + ".json") + " and .md (also latest.*)");
	}

	private String table() {
		String[] head = { "scenario", "figure", "measured: median (min–max)", "limit", "ratio", "target", "result" };
		List<String[]> cells = new ArrayList<>();
		cells.add(head);
		this.rows.forEach((r) -> cells
			.add(new String[] { r.scenario(), r.figure(), r.value(), r.limit(), r.ratio(), r.target(), r.result() }));
		int[] widths = new int[head.length];
		cells.forEach((row) -> {
			for (int c = 0; c < row.length; c++) {
				widths[c] = Math.max(widths[c], row[c].length());
			}
		});
		StringBuilder out = new StringBuilder();
		for (int r = 0; r < cells.size(); r++) {
			String[] row = cells.get(r);
			for (int c = 0; c < row.length; c++) {
				out.append(String.format("%-" + widths[c] + "s", row[c])).append((c < row.length - 1) ? "  " : "\n");
			}
			if (r == 0) {
				for (int c = 0; c < row.length; c++) {
					out.append("-".repeat(widths[c])).append((c < row.length - 1) ? "  " : "\n");
				}
			}
		}
		appendPhases(out, "\n", "  ");
		return out.toString();
	}

	/** The memory peaks and the cores used by phase, one line each after a heading. */
	private void appendPhases(StringBuilder out, String afterHeading, String bullet) {
		out.append("\nMemory peaks (MB; RSS per JVM, PSS summed over PostgreSQL's processes):").append(afterHeading);
		this.memory.forEach((phase, peaks) -> out.append(bullet).append(phase).append(": ").append(peaks).append('\n'));
		if (!this.cpu.isEmpty()) {
			out.append('\n').append(CPU_HEADING).append(':').append(afterHeading);
			this.cpu.forEach((phase, cores) -> out.append(bullet)
				.append(phase)
				.append(": ")
				.append(CpuSampler.describe(cores))
				.append('\n'));
		}
	}

	private String markdown() {
		StringBuilder md = new StringBuilder();
		md.append("Run ").append(this.started).append(" on ").append(this.machine.get("summary")).append("\n\n");
		md.append("| scenario | figure | measured: median (min–max) | limit | ratio | target | result |\n");
		md.append("|---|---|---|---|---|---|---|\n");
		this.rows.forEach((r) -> md.append("| ")
			.append(String.join(" | ", r.scenario(), r.figure(), r.value(), r.limit(), r.ratio(), r.target(),
					r.result()))
			.append(" |\n"));
		appendPhases(md, "\n\n", "- ");
		if (!this.notes.isEmpty()) {
			md.append("\nNotes:\n\n");
			this.notes.forEach((note) -> md.append("- ").append(note).append('\n'));
		}
		md.append("\nSettings: ").append(this.settings).append('\n');
		md.append("\nLoad average (1 min) at the start: ")
			.append(this.machine.get("load_average_at_start"))
			.append(", at the end: ")
			.append(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage())
			.append('\n');
		return md.toString();
	}

	static Map<String, Object> machine() {
		Map<String, Object> machine = new LinkedHashMap<>();
		int cores = Runtime.getRuntime().availableProcessors();
		long memoryMb = -1;
		String cpu = "unknown CPU";
		try {
			cpu = Files.readAllLines(Path.of("/proc/cpuinfo"))
				.stream()
				.filter((line) -> line.startsWith("model name"))
				.map((line) -> line.substring(line.indexOf(':') + 1).strip())
				.findFirst()
				.orElse(cpu);
			memoryMb = Files.readAllLines(Path.of("/proc/meminfo"))
				.stream()
				.filter((line) -> line.startsWith("MemTotal:"))
				.map((line) -> Long.parseLong(line.replaceAll("\\D", "")) / 1024)
				.findFirst()
				.orElse(-1L);
		}
		catch (IOException | RuntimeException ex) {
			// not Linux: the figures still stand, the machine is described less
		}
		machine.put("cores", cores);
		machine.put("memory_mb", memoryMb);
		machine.put("cpu", cpu);
		machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
		machine.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
		machine.put("load_average_at_start", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
		machine.put("summary", cores + " cores, " + Math.round(memoryMb / 1024.0) + " GiB, " + cpu + ", JDK "
				+ System.getProperty("java.version"));
		return machine;
	}

}
