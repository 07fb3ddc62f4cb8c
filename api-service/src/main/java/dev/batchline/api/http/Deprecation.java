package dev.batchline.api.http;

import java.time.Instant;
import java.time.LocalDate;
import java.time.Period;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

import jakarta.servlet.http.HttpServletResponse;

/**
 * Every deprecation of the REST API, with its dates: the one list the answers' headers
 * and the list in {@code docs/versioning.md} both follow. A deprecated operation carries
 * {@link DeprecatedOperation}; a deprecated field or parameter is signalled by the
 * controller with {@link #signal} when the client sent the old name, so that clients that
 * already use the new one see no warning.
 */
public enum Deprecation {

	/**
	 * {@code /v1/webhook-secret} is the tenant's secret for jobs' own callback URLs, not
	 * a webhook endpoint's (each endpoint has its own, at
	 * {@code /v1/webhook-endpoints/{id}/secret}); {@code /v1/callback-secret} says whose.
	 */
	WEBHOOK_SECRET_PATH("/v1/webhook-secret", "/v1/callback-secret", "2026-12-03", "2027-06-30");

	/** The shortest time from a deprecation to its sunset (docs/versioning.md). */
	public static final Period MINIMUM_NOTICE = Period.ofMonths(6);

	/** RFC 9745: when the resource was or will be deprecated, a Structured Field Date. */
	public static final String DEPRECATION = "Deprecation";

	/** RFC 8594: when the resource may stop answering, an HTTP-date. */
	public static final String SUNSET = "Sunset";

	static final String POLICY = "https://batchline.dev/docs/versioning";

	/**
	 * RFC 9110's IMF-fixdate. Not {@link DateTimeFormatter#RFC_1123_DATE_TIME}, which
	 * writes days before the 10th with one digit.
	 */
	static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
		.withZone(ZoneOffset.UTC);

	private static final String[] LINKS = { "<" + POLICY + "#deprecations>; rel=\"deprecation\"; type=\"text/html\"",
			"<" + POLICY + "#sunset>; rel=\"sunset\"; type=\"text/html\"" };

	private final String deprecated;

	private final String replacement;

	private final LocalDate since;

	private final LocalDate sunset;

	Deprecation(String deprecated, String replacement, String since, String sunset) {
		this.deprecated = deprecated;
		this.replacement = replacement;
		this.since = LocalDate.parse(since);
		this.sunset = LocalDate.parse(sunset);
	}

	/** The old name: an operation's path, a field or a parameter. */
	public String deprecated() {
		return this.deprecated;
	}

	/** The name to use instead. */
	public String replacement() {
		return this.replacement;
	}

	/** The day (from 00:00 UTC) the old name is deprecated. */
	public LocalDate since() {
		return this.since;
	}

	/** The day (from 00:00 UTC) after which a release may remove the old name. */
	public LocalDate sunset() {
		return this.sunset;
	}

	/**
	 * Marks the answer: {@code Deprecation}, {@code Sunset} and the {@code Link}s to the
	 * policy. A request that uses several deprecated names gets the earliest dates.
	 * @param response the answer, not yet committed
	 */
	public void signal(HttpServletResponse response) {
		Instant deprecatedAt = this.since.atStartOfDay(ZoneOffset.UTC).toInstant();
		Instant sunsetAt = this.sunset.atStartOfDay(ZoneOffset.UTC).toInstant();
		String deprecationSent = response.getHeader(DEPRECATION);
		if (deprecationSent == null || Long.parseLong(deprecationSent.substring(1)) > deprecatedAt.getEpochSecond()) {
			response.setHeader(DEPRECATION, structuredDate(deprecatedAt));
		}
		String sunsetSent = response.getHeader(SUNSET);
		if (sunsetSent == null || HTTP_DATE.parse(sunsetSent, Instant::from).isAfter(sunsetAt)) {
			response.setHeader(SUNSET, HTTP_DATE.format(sunsetAt));
		}
		for (String link : LINKS) {
			if (!response.getHeaders("Link").contains(link)) {
				response.addHeader("Link", link);
			}
		}
	}

	/** RFC 9651 §3.3.7: {@code @} and the seconds since the epoch. */
	static String structuredDate(Instant instant) {
		return "@" + instant.getEpochSecond();
	}

}
