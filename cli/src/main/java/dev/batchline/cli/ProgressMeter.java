package dev.batchline.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A job's progress as one line of text: done/total, the rate since the meter started and
 * the time left at that rate. The clock is given, so tests can fix it.
 */
final class ProgressMeter {

	private static final int BAR_WIDTH = 24;

	private final LongSupplier nanoTime;

	private long startNanos;

	private long startDone = -1;

	private long done;

	private long total;

	private boolean finished;

	private Duration took;

	/**
	 * @param nanoTime a monotonic clock in nanoseconds, as {@link System#nanoTime()}
	 */
	ProgressMeter(LongSupplier nanoTime) {
		this.nanoTime = nanoTime;
	}

	/** Records the items done so far; the first call starts the clock of the rate. */
	void update(long done, long total) {
		if (this.startDone < 0) {
			this.startDone = done;
			this.startNanos = this.nanoTime.getAsLong();
		}
		this.done = done;
		this.total = total;
	}

	/**
	 * Marks the end: the line then shows the time taken instead of the time left.
	 * @param took how long the job took by its own times (the server's clock), or null
	 * for the time this meter ran; when given, the rate is the job's average over it
	 */
	void finish(Duration took) {
		this.finished = true;
		this.took = (took != null && took.isPositive()) ? took : null;
	}

	long done() {
		return this.done;
	}

	long total() {
		return this.total;
	}

	Duration elapsed() {
		return (this.startDone < 0) ? Duration.ZERO : Duration.ofNanos(this.nanoTime.getAsLong() - this.startNanos);
	}

	/** Items per second since the meter started, or a negative number while unknown. */
	double rate() {
		if (this.took != null) {
			return (this.done > 0) ? this.done * 1e9 / this.took.toNanos() : -1;
		}
		long nanos = elapsed().toNanos();
		long items = this.done - Math.max(this.startDone, 0);
		return (nanos <= 0 || items <= 0) ? -1 : items * 1e9 / nanos;
	}

	/** The time left at the current rate, or null while unknown. */
	Duration eta() {
		double rate = rate();
		if (rate <= 0) {
			return null;
		}
		return Duration.ofMillis(Math.round(Math.max(0, this.total - this.done) * 1000 / rate));
	}

	/**
	 * The progress line, e.g.
	 * {@code [##########..............]  42% 4200/10000 items  1234 items/s  ETA 4s}.
	 * @param withBar whether to begin with a bar (a terminal) or not (a log line)
	 */
	String line(boolean withBar) {
		StringBuilder line = new StringBuilder();
		int percent = (this.total > 0) ? (int) Math.min(100, this.done * 100 / this.total) : 0;
		if (withBar) {
			int filled = (this.total > 0) ? (int) Math.min(BAR_WIDTH, this.done * BAR_WIDTH / this.total) : 0;
			line.append('[').append("#".repeat(filled)).append(".".repeat(BAR_WIDTH - filled)).append("] ");
		}
		line.append(String.format(Locale.ROOT, "%3d%% %d/%d items", percent, this.done, this.total));
		double rate = rate();
		line.append("  ").append((rate < 0) ? "-" : formatRate(rate)).append(" items/s");
		if (this.finished) {
			line.append("  in ").append(formatDuration((this.took != null) ? this.took : elapsed()));
		}
		else {
			Duration eta = eta();
			line.append("  ETA ").append((eta != null) ? formatDuration(eta) : "-");
		}
		return line.toString();
	}

	static String formatRate(double rate) {
		return (rate >= 10) ? String.format(Locale.ROOT, "%.0f", rate) : String.format(Locale.ROOT, "%.1f", rate);
	}

	/** {@code 4s}, {@code 1m05s}, {@code 2h03m}: seconds rounded up under a minute. */
	static String formatDuration(Duration duration) {
		long seconds = (duration.toMillis() + 999) / 1000;
		if (seconds < 60) {
			return seconds + "s";
		}
		if (seconds < 3600) {
			return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
		}
		return String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, (seconds % 3600) / 60);
	}

}
