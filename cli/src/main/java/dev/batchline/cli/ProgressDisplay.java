package dev.batchline.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Shows a {@link ProgressMeter} on stderr: on a terminal one line redrawn with
 * {@code \r}; elsewhere (a log, CI) a line per progress event, at most one per
 * {@link #LINE_INTERVAL}; or nothing.
 */
final class ProgressDisplay {

	/** How progress is shown. */
	enum Mode {

		/** One line redrawn in place: for a terminal. */
		BAR,

		/** A line per progress event, at a bounded rate: for logs. */
		LINES,

		/** Nothing. */
		NONE

	}

	static final Duration LINE_INTERVAL = Duration.ofSeconds(1);

	private final PrintWriter err;

	private final Mode mode;

	private final ProgressMeter meter;

	private final LongSupplier nanoTime;

	private long lastLineNanos;

	private boolean printed;

	private int lastLength;

	ProgressDisplay(PrintWriter err, Mode mode, LongSupplier nanoTime) {
		this.err = err;
		this.mode = mode;
		this.nanoTime = nanoTime;
		this.meter = new ProgressMeter(nanoTime);
	}

	void update(long done, long total) {
		this.meter.update(done, total);
		if (this.mode == Mode.BAR) {
			redraw();
		}
		else if (this.mode == Mode.LINES) {
			long now = this.nanoTime.getAsLong();
			if (!this.printed || now - this.lastLineNanos >= LINE_INTERVAL.toNanos()) {
				this.lastLineNanos = now;
				line();
			}
		}
	}

	/**
	 * Shows the final counts (always, whatever the rate bound) and ends the line.
	 * @param took how long the job took by its own times, or null
	 */
	void finish(long done, long total, Duration took) {
		this.meter.update(done, total);
		this.meter.finish(took);
		if (this.mode == Mode.BAR) {
			redraw();
			this.err.println();
			this.err.flush();
		}
		else if (this.mode == Mode.LINES) {
			line();
		}
	}

	private void redraw() {
		String line = this.meter.line(true);
		// spaces wipe what a longer line before left behind
		String padding = " ".repeat(Math.max(0, this.lastLength - line.length()));
		this.lastLength = line.length();
		this.err.print("\r" + line + padding);
		this.err.flush();
		this.printed = true;
	}

	private void line() {
		this.err.println("progress " + this.meter.line(false));
		this.err.flush();
		this.printed = true;
	}

}
