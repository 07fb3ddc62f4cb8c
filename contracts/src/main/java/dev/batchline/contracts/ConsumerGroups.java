package dev.batchline.contracts;

/**
 * The Kafka consumer groups of Batchline's services. Operators watch their lag (KEDA
 * scales the workers on {@link #WORKERS}), so the names are part of the wire contract.
 */
public final class ConsumerGroups {

	/** The workers on {@link Topics#chunks()} and {@link Topics#control()}. */
	public static final String WORKERS = "batchline-workers";

	/** The api-service's results recorders on {@link Topics#results()}. */
	public static final String RECORDERS = "batchline-recorders";

	/**
	 * The api-service's recorders of failed chunks on {@link Topics#chunksDeadLetter()}.
	 */
	public static final String DEAD_LETTER_RECORDERS = "batchline-dead-letter-recorders";

	/** The webhook dispatchers on {@link Topics#jobEvents()}. */
	public static final String WEBHOOK_DISPATCHERS = "batchline-webhook-dispatcher";

	/**
	 * The webhook dispatchers on {@link Topics#webhookCommands()} (replays asked for
	 * through the API).
	 */
	public static final String WEBHOOK_REPLAYERS = "batchline-webhook-replayers";

	/**
	 * The api-service's webhook endpoint management on {@link Topics#webhookEvents()}
	 * (endpoints to disable).
	 */
	public static final String WEBHOOK_ENDPOINT_MANAGERS = "batchline-webhook-endpoint-managers";

	/**
	 * The api-service's model catalog on {@link Topics#models()}: its partition is
	 * assigned by hand, so every replica reads the whole topic; it commits nothing.
	 */
	public static final String API_CATALOG = "batchline-api-catalog";

	private ConsumerGroups() {
	}

}
