package dev.batchline.api.job;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.batchline.support.PollLoop;
import dev.batchline.support.PolledLifecycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Runs the expiry sweep and the {@link Watchdog} every
 * {@code batchline.api.jobs.sweep-interval}, on the shared {@link PollLoop}. Each task
 * runs on its own: one that fails (PostgreSQL away) is logged and does not keep the other
 * from running.
 */
@Component
class JobSweeper implements PolledLifecycle {

	private static final Logger log = LoggerFactory.getLogger(JobSweeper.class);

	private final PollLoop loop;

	@Autowired
	JobSweeper(JobEndings endings, Watchdog watchdog, JobLifecycleProperties properties) {
		this(Map.of("expiry", endings::expireDue, "watchdog", watchdog::run), properties.sweepInterval());
	}

	/**
	 * @param tasks the tasks by name, each run once a round
	 * @param interval the pause between rounds
	 */
	JobSweeper(Map<String, Runnable> tasks, Duration interval) {
		List<Map.Entry<String, Runnable>> ordered = tasks.entrySet()
			.stream()
			.sorted(Map.Entry.comparingByKey())
			.toList();
		this.loop = PollLoop.named("job-sweeper", () -> {
			for (Map.Entry<String, Runnable> task : ordered) {
				try {
					task.getValue().run();
				}
				catch (RuntimeException ex) {
					log.warn("Job sweep: {} failed, trying again in {}: {}", task.getKey(), interval, ex.toString());
				}
			}
			return false;
		}).pollInterval(interval).build();
	}

	@Override
	public PollLoop pollLoop() {
		return this.loop;
	}

}
