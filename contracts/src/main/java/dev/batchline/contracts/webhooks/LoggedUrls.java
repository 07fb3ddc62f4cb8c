package dev.batchline.contracts.webhooks;

import java.net.URI;

/**
 * A URL as a log line may show it: its scheme, host and port only. A receiver's path and
 * query often carry a token of its own, and no secret goes into a log.
 */
public final class LoggedUrls {

	private LoggedUrls() {
	}

	/**
	 * {@code https://hooks.example.com:8443/t/abc?key=x} is
	 * {@code https://hooks.example.com:8443/…}.
	 */
	public static String origin(String url) {
		try {
			URI uri = URI.create(url);
			if (uri.getScheme() == null || uri.getHost() == null) {
				return "(a URL that cannot be read)";
			}
			return uri.getScheme() + "://" + uri.getHost() + ((uri.getPort() >= 0) ? ":" + uri.getPort() : "") + "/…";
		}
		catch (IllegalArgumentException ex) {
			return "(a URL that cannot be read)";
		}
	}

}
