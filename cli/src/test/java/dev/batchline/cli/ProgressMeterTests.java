package dev.batchline.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ProgressMeterTests {

	private final AtomicLong clock = new AtomicLong(1_000_000_000L);

	private final ProgressMeter meter = new ProgressMeter(this.clock::get);

	@Test
	void rateAndEtaComeFromTheItemsDoneSinceTheMeterStarted() {
		this.meter.update(1000, 10_000);
		advance(Duration.ofSeconds(2));
		this.meter.update(5000, 10_000);

		assertThat(this.meter.rate()).isEqualTo(2000.0);
		assertThat(this.meter.eta()).isEqualTo(Duration.ofMillis(2500));
		assertThat(this.meter.line(false)).isEqualTo(" 50% 5000/10000 items  2000 items/s  ETA 3s");
	}

	@Test
	void beforeAnyItemIsDoneTheRateAndEtaAreUnknown() {
		this.meter.update(0, 300);
		advance(Duration.ofSeconds(5));

		assertThat(this.meter.rate()).isNegative();
		assertThat(this.meter.eta()).isNull();
		assertThat(this.meter.line(true)).isEqualTo("[........................]   0% 0/300 items  - items/s  ETA -");
	}

	@Test
	void theBarFillsInProportionAndAFinishedMeterShowsTheTimeTaken() {
		this.meter.update(0, 1200);
		advance(Duration.ofSeconds(3));
		this.meter.update(300, 1200);
		assertThat(this.meter.line(true))
			.startsWith("[######..................]  25% 300/1200 items  100 items/s  ETA 9s");

		advance(Duration.ofSeconds(9));
		this.meter.update(1200, 1200);
		this.meter.finish(null);
		assertThat(this.meter.line(true))
			.isEqualTo("[########################] 100% 1200/1200 items  100 items/s  in 12s");
	}

	@Test
	void aJobFinishedBeforeTheWatchShowsItsOwnRateAndDuration() {
		this.meter.update(3000, 3000);
		this.meter.finish(Duration.ofMillis(1500));

		assertThat(this.meter.line(false)).isEqualTo("100% 3000/3000 items  2000 items/s  in 2s");
	}

	@Test
	void slowRatesKeepADecimalAndLongTimesUseMinutesAndHours() {
		assertThat(ProgressMeter.formatRate(2.24)).isEqualTo("2.2");
		assertThat(ProgressMeter.formatRate(1234.4)).isEqualTo("1234");
		assertThat(ProgressMeter.formatDuration(Duration.ofMillis(200))).isEqualTo("1s");
		assertThat(ProgressMeter.formatDuration(Duration.ofSeconds(65))).isEqualTo("1m05s");
		assertThat(ProgressMeter.formatDuration(Duration.ofMinutes(123))).isEqualTo("2h03m");
	}

	@Test
	void aTerminalBarIsRedrawnInPlaceOnOneLine() {
		StringWriter err = new StringWriter();
		ProgressDisplay display = new ProgressDisplay(new PrintWriter(err), ProgressDisplay.Mode.BAR, this.clock::get);
		display.update(0, 100);
		advance(Duration.ofSeconds(1));
		display.update(50, 100);
		advance(Duration.ofSeconds(1));
		display.finish(100, 100, null);

		assertThat(err.toString()).startsWith("\r[").endsWith("100% 100/100 items  50 items/s  in 2s\n");
		assertThat(err.toString().chars().filter((c) -> c == '\r')).hasSize(3);
		assertThat(err.toString().chars().filter((c) -> c == '\n')).hasSize(1);
	}

	@Test
	void logLinesComeAtMostOncePerIntervalAndTheLastAlways() {
		StringWriter err = new StringWriter();
		ProgressDisplay display = new ProgressDisplay(new PrintWriter(err), ProgressDisplay.Mode.LINES,
				this.clock::get);
		display.update(0, 1000);
		for (int done = 100; done < 1000; done += 100) {
			advance(Duration.ofMillis(250));
			display.update(done, 1000);
		}
		display.finish(1000, 1000, null);

		// 0 ms, then every 4th update (1 s apart), then the final line
		assertThat(err.toString().lines()).containsExactly("progress   0% 0/1000 items  - items/s  ETA -",
				"progress  40% 400/1000 items  400 items/s  ETA 2s",
				"progress  80% 800/1000 items  400 items/s  ETA 1s",
				"progress 100% 1000/1000 items  444 items/s  in 3s");
		assertThat(err.toString()).doesNotContain("\r");
	}

	private void advance(Duration duration) {
		this.clock.addAndGet(duration.toNanos());
	}

}
