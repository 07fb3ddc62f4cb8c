package dev.batchline.api.quota;

import java.util.Map;

/**
 * Where a client stands against one limit, as the IETF RateLimit header fields
 * (draft-ietf-httpapi-ratelimit-headers) say it:
 * {@code RateLimit-Policy: "requests";q=100;w=1} and
 * {@code RateLimit: "requests";r=42;t=1}.
 *
 * @param name the policy's name ({@code requests}, {@code items}, ...)
 * @param quota the quota in the window
 * @param windowSeconds the window, in seconds; 0 for a quota without one (a count)
 * @param remaining what is left now
 * @param resetSeconds seconds until the quota is whole again
 */
public record RateLimitStatus(String name, long quota, long windowSeconds, long remaining, long resetSeconds) {

	/** The {@code RateLimit-Policy} header. */
	public static final String POLICY_HEADER = "RateLimit-Policy";

	/** The {@code RateLimit} header. */
	public static final String HEADER = "RateLimit";

	/** The {@code RateLimit-Policy} item. */
	public String policy() {
		return "\"" + this.name + "\";q=" + this.quota + ((this.windowSeconds > 0) ? ";w=" + this.windowSeconds : "");
	}

	/** The {@code RateLimit} item. */
	public String state() {
		return "\"" + this.name + "\";r=" + this.remaining + ";t=" + this.resetSeconds;
	}

	/** Both headers, for an answer. */
	public Map<String, String> headers() {
		return Map.of(POLICY_HEADER, policy(), HEADER, state());
	}

	static long seconds(long nanos) {
		return (nanos <= 0) ? 0 : (nanos + 999_999_999L) / 1_000_000_000L;
	}

}
