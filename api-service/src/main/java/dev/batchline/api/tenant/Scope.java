package dev.batchline.api.tenant;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * What an API key may do. A request needs one scope, by what it touches and whether it
 * only reads; a key without it gets 403 {@code insufficient-scope}.
 */
public enum Scope {

	/** Read jobs, results, events, batches, files and models. */
	JOBS_READ("jobs:read"),

	/** Submit and cancel jobs and batches, upload files, ask for predictions. */
	JOBS_WRITE("jobs:write"),

	/** Read webhook endpoints (not their secrets), deliveries and event types. */
	WEBHOOKS_READ("webhooks:read"),

	/** Change webhook endpoints, replay deliveries, read and rotate signing secrets. */
	WEBHOOKS_WRITE("webhooks:write"),

	/** Make, list, rotate and revoke the tenant's API keys. */
	KEYS_MANAGE("keys:manage");

	private final String value;

	Scope(String value) {
		this.value = value;
	}

	/** The scope as keys and tokens carry it, e.g. {@code jobs:read}. */
	public String value() {
		return this.value;
	}

	/** The scope of a name, if it is one. */
	public static Optional<Scope> of(String value) {
		return Arrays.stream(values()).filter((scope) -> scope.value.equals(value)).findFirst();
	}

	/** Every scope. */
	public static Set<Scope> all() {
		return EnumSet.allOf(Scope.class);
	}

}
