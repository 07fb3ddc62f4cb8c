package dev.batchline.api.job;

import dev.batchline.support.PollLoop;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Runs the expiry sweep and the {@link Watchdog} every
 * {@code batchline.api.jobs.sweep-interval}, on the shared {@link PollLoop}.
 */
@Component
class JobSweeper implements SmartLifecycle {

	private final PollLoop loop;

	JobSweeper(JobEndings endings, Watchdog watchdog, JobLifecycleProperties properties) {
		this.loop = PollLoop.named("job-sweeper", () -> {
			endings.expireDue();
			watchdog.run();
			return false;
		})
			.pollInterval(properties.sweepInterval())
			.backoff(properties.sweepInterval(), properties.sweepInterval())
			.build();
	}

	@Override
	public void start() {
		this.loop.start();
	}

	@Override
	public void stop() {
		this.loop.stop();
	}

	@Override
	public boolean isRunning() {
		return this.loop.isRunning();
	}

}
