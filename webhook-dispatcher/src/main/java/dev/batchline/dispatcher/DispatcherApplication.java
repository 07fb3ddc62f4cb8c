package dev.batchline.dispatcher;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The webhook dispatcher: delivers job events as signed webhooks (Standard Webhooks) with
 * retries kept in PostgreSQL, and replays deliveries on request. It owns the tables
 * {@code webhook_deliveries} and {@code webhook_attempts}; the endpoints and secrets are
 * the api-service's, read through read-only views (see docs/webhooks.md).
 */
@SpringBootApplication
public class DispatcherApplication {

	public static void main(String[] args) {
		SpringApplication.run(DispatcherApplication.class, args);
	}

}
