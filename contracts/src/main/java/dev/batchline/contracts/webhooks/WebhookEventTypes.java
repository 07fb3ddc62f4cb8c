package dev.batchline.contracts.webhooks;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;

import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.JobEvent;
import tools.jackson.databind.JsonNode;

/**
 * The catalog of webhook event types: each one's name, what it means, whether endpoints
 * must subscribe to it by name, and the JSON Schema (draft 2020-12) and an example of its
 * payload. The schemas and examples are resources beside this class
 * ({@code event-types/<name>.schema.json} and {@code event-types/<name>.example.json}),
 * so a test in any module can validate a payload against them.
 */
public final class WebhookEventTypes {

	/**
	 * One of the tenant's endpoints was disabled by Batchline (e.g. its receiver answered
	 * {@code 410 Gone}); sent by the dispatcher to the endpoints subscribed to it.
	 */
	public static final String ENDPOINT_DISABLED = "webhook.endpoint.disabled";

	/** The category of the event types about a job. */
	public static final String JOB = "job";

	/** The category of the event types about the webhooks themselves. */
	public static final String OPERATIONAL = "operational";

	/**
	 * The most bytes a payload of any type takes, with every field at its largest.
	 */
	public static final int MAX_PAYLOAD_BYTES = 20 * 1024;

	private static final List<EventType> ALL = List.of(
			load(JobEvent.SUCCEEDED, JOB, false, "A job finished and every item has an output."),
			load(JobEvent.PARTIALLY_SUCCEEDED, JOB, false,
					"A job finished; some items have an output, the others an error."),
			load(JobEvent.FAILED, JOB, false, "A job finished and every item has an error."),
			load(JobEvent.CANCELLED, JOB, false,
					"A cancelled job stopped: the items processed before the cancel keep their results,"
							+ " the others were skipped."),
			load(JobEvent.EXPIRED, JOB, false, "A job's completion window ended before every item was processed."),
			load(JobEvent.PROGRESS, JOB, true,
					"A running job of ten chunks or more passed another tenth of its chunks (at most nine per job)."),
			load(ENDPOINT_DISABLED, OPERATIONAL, true,
					"Batchline disabled one of the tenant's webhook endpoints, e.g. because its receiver answered"
							+ " 410 Gone; PATCH it with {\"enabled\": true} to enable it again."));

	private WebhookEventTypes() {
	}

	/**
	 * An event type of the catalog.
	 *
	 * @param name the type, the payload's {@code type}
	 * @param description what it means, for people
	 * @param schema the payload's JSON Schema (draft 2020-12)
	 * @param example a payload of this type
	 * @param optIn whether only endpoints that name it in {@code event_types} receive it
	 * (an endpoint registered without {@code event_types} does not)
	 * @param category {@link #JOB} or {@link #OPERATIONAL}
	 */
	public record EventType(String name, String description, JsonNode schema, JsonNode example, boolean optIn,
			String category) {

		/** A copy of the schema, which callers may change. */
		@Override
		public JsonNode schema() {
			return this.schema.deepCopy();
		}

		/** A copy of the example, which callers may change. */
		@Override
		public JsonNode example() {
			return this.example.deepCopy();
		}

	}

	/** Every event type a webhook is sent for, job types first. */
	public static List<EventType> all() {
		return ALL;
	}

	/** The names of {@link #all()}, in its order. */
	public static List<String> names() {
		return ALL.stream().map(EventType::name).toList();
	}

	/** The event type of that name, if the catalog has it. */
	public static Optional<EventType> find(String name) {
		return ALL.stream().filter((type) -> type.name().equals(name)).findFirst();
	}

	private static EventType load(String name, String category, boolean optIn, String description) {
		return new EventType(name, description, resource(name + ".schema.json"), resource(name + ".example.json"),
				optIn, category);
	}

	private static JsonNode resource(String file) {
		try (InputStream in = WebhookEventTypes.class.getResourceAsStream("event-types/" + file)) {
			if (in == null) {
				throw new IllegalStateException("event-types/" + file + " is missing from the contracts jar");
			}
			return EventCodec.tree(in.readAllBytes());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
