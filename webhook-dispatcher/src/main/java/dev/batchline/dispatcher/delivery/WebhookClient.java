package dev.batchline.dispatcher.delivery;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;

import dev.batchline.contracts.webhooks.UrlPolicy;
import dev.batchline.support.WebhookProperties;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.util.Timeout;

import org.springframework.retry.annotation.Backoff;
import org.springframework.retry.annotation.Retryable;
import org.springframework.stereotype.Component;

/**
 * POSTs webhooks: a timeout on connect and read, no redirects followed, and the SSRF
 * guard inside the client's name resolution, so the addresses that were checked are the
 * addresses connected to (a DNS answer that changes between check and connect cannot slip
 * through). Transient network failures (a stale pooled connection, a refused connect) are
 * retried in-process a few times before the attempt counts as failed.
 */
@Component
class WebhookClient implements AutoCloseable {

	private static final int EXCERPT_BYTES = 512;

	private final CloseableHttpClient http;

	WebhookClient(WebhookProperties properties) {
		UrlPolicy policy = new UrlPolicy(properties.allowPrivateNetworks());
		Timeout timeout = Timeout.of(properties.timeout());
		this.http = HttpClients.custom()
			.setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
				.setDnsResolver(new GuardedDnsResolver(policy))
				.setDefaultConnectionConfig(
						ConnectionConfig.custom().setConnectTimeout(timeout).setSocketTimeout(timeout).build())
				.setMaxConnTotal(properties.maxConcurrency())
				.setMaxConnPerRoute(properties.maxConcurrency())
				.build())
			.setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(timeout).build())
			.disableRedirectHandling()
			.disableAutomaticRetries()
			.setUserAgent(properties.userAgent())
			.build();
	}

	/**
	 * The answer header by which a receiver stops the retries of one message: any answer
	 * other than 2xx with {@code webhook-delivery: abort-message} ends the delivery
	 * failed.
	 */
	static final String DELIVERY_HEADER = "webhook-delivery";

	static final String ABORT_MESSAGE = "abort-message";

	/**
	 * The receiver's answer.
	 *
	 * @param statusCode its status
	 * @param excerpt the first bytes of its body
	 * @param retryAfter its Retry-After, or null
	 * @param abort whether it asked to stop retrying the message
	 */
	record Answer(int statusCode, String excerpt, Duration retryAfter, boolean abort) {
	}

	/**
	 * Sends one webhook.
	 * @param url where to
	 * @param headers the webhook headers
	 * @param body the exact bytes
	 * @return the answer
	 * @throws IOException when there is no answer
	 * @throws UrlPolicy.ForbiddenUrlException when the host resolves to a forbidden
	 * address
	 */
	@Retryable(retryFor = { NoHttpResponseException.class, ConnectException.class }, maxAttempts = 3,
			backoff = @Backoff(delay = 100, multiplier = 3))
	public Answer post(String url, Map<String, String> headers, byte[] body) throws IOException {
		HttpPost post = new HttpPost(url);
		headers.forEach(post::setHeader);
		post.setEntity(new ByteArrayEntity(body, ContentType.APPLICATION_JSON));
		return this.http.execute(post, (response) -> {
			String excerpt = null;
			if (response.getEntity() != null) {
				try (InputStream in = response.getEntity().getContent()) {
					excerpt = new String(in.readNBytes(EXCERPT_BYTES), StandardCharsets.UTF_8);
				}
			}
			Header delivery = response.getFirstHeader(DELIVERY_HEADER);
			return new Answer(response.getCode(), excerpt, retryAfter(response.getFirstHeader("Retry-After")),
					delivery != null && ABORT_MESSAGE.equalsIgnoreCase(delivery.getValue().strip()));
		});
	}

	/** Retry-After as seconds or as an HTTP date; null when absent or unreadable. */
	static Duration retryAfter(Header header) {
		if (header == null || header.getValue() == null) {
			return null;
		}
		String value = header.getValue().strip();
		try {
			long seconds = Long.parseLong(value);
			return (seconds >= 0) ? Duration.ofSeconds(seconds) : null;
		}
		catch (NumberFormatException ex) {
			try {
				Duration until = Duration.between(Instant.now(),
						ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
				return until.isNegative() ? Duration.ZERO : until;
			}
			catch (DateTimeParseException unreadable) {
				return null;
			}
		}
	}

	@Override
	public void close() throws IOException {
		this.http.close();
	}

	/**
	 * Resolves with the URL policy: every address checked, only checked addresses
	 * returned.
	 */
	private record GuardedDnsResolver(UrlPolicy policy) implements DnsResolver {

		@Override
		public InetAddress[] resolve(String host) throws UnknownHostException {
			return this.policy.resolve(host).toArray(InetAddress[]::new);
		}

		@Override
		public String resolveCanonicalHostname(String host) throws UnknownHostException {
			return resolve(host)[0].getCanonicalHostName();
		}

	}

}
