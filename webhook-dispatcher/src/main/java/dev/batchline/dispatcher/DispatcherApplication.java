package dev.batchline.dispatcher;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The webhook dispatcher. This first cut consumes the job events and counts them by type;
 * signed delivery with persisted retries is built on this seam (see docs/webhooks.md).
 */
@SpringBootApplication
public class DispatcherApplication {

	public static void main(String[] args) {
		SpringApplication.run(DispatcherApplication.class, args);
	}

}
