package dev.batchline.contracts.webhooks;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;

/**
 * Where webhooks may go (the SSRF guard). Only {@code http} and {@code https} URLs whose
 * host resolves to public addresses only: loopback, private (10/8, 172.16/12, 192.168/16,
 * 100.64/10), link-local (169.254/16, including cloud metadata endpoints, fe80::/10),
 * unique-local (fc00::/7), multicast, unspecified and other reserved addresses are
 * refused. The same check runs when an endpoint is registered and again at every send, on
 * the addresses the connection then uses.
 *
 * @param allowPrivateNetworks lift the address checks (for local runs and tests only)
 */
public record UrlPolicy(boolean allowPrivateNetworks) {

	private static final int MAX_URL_LENGTH = 2048;

	/**
	 * Checks the form of a URL (scheme, host, length, no user info), without resolving
	 * it.
	 * @param url the URL
	 * @return the parsed URL
	 * @throws ForbiddenUrlException when it is not allowed
	 */
	public URI checkForm(String url) {
		if (url == null || url.isBlank()) {
			throw new ForbiddenUrlException("the URL is empty");
		}
		if (url.length() > MAX_URL_LENGTH) {
			throw new ForbiddenUrlException("the URL is longer than " + MAX_URL_LENGTH + " characters");
		}
		URI uri;
		try {
			uri = new URI(url);
		}
		catch (URISyntaxException ex) {
			throw new ForbiddenUrlException("the URL is malformed: " + ex.getReason());
		}
		String scheme = (uri.getScheme() != null) ? uri.getScheme().toLowerCase(Locale.ROOT) : "";
		if (!scheme.equals("http") && !scheme.equals("https")) {
			throw new ForbiddenUrlException("only http and https URLs are allowed");
		}
		if (uri.getHost() == null || uri.getHost().isBlank()) {
			throw new ForbiddenUrlException("the URL has no host");
		}
		if (uri.getRawUserInfo() != null) {
			throw new ForbiddenUrlException("credentials in the URL are not allowed");
		}
		return uri;
	}

	/**
	 * Checks a URL and every address its host resolves to.
	 * @param url the URL
	 * @return the resolved, allowed addresses
	 * @throws ForbiddenUrlException when the URL or any of its addresses is not allowed
	 */
	public List<InetAddress> check(String url) {
		URI uri = checkForm(url);
		return resolve(uri.getHost());
	}

	/**
	 * Resolves a host and checks every address.
	 * @param host the host name or literal address
	 * @return the allowed addresses
	 * @throws ForbiddenUrlException when the host does not resolve or any address is
	 * refused
	 */
	public List<InetAddress> resolve(String host) {
		String bare = (host.startsWith("[") && host.endsWith("]")) ? host.substring(1, host.length() - 1) : host;
		InetAddress[] addresses;
		try {
			addresses = InetAddress.getAllByName(bare);
		}
		catch (UnknownHostException ex) {
			throw new ForbiddenUrlException("the host '" + host + "' does not resolve");
		}
		for (InetAddress address : addresses) {
			String reason = refusalOf(address);
			if (reason != null && !this.allowPrivateNetworks) {
				throw new ForbiddenUrlException(
						"the host '" + host + "' resolves to " + address.getHostAddress() + ", " + reason);
			}
		}
		return List.of(addresses);
	}

	/** Why an address is refused, or null when it is public. */
	static String refusalOf(InetAddress address) {
		if (address.isAnyLocalAddress()) {
			return "an unspecified address";
		}
		if (address.isLoopbackAddress()) {
			return "a loopback address";
		}
		if (address.isLinkLocalAddress()) {
			return "a link-local address (cloud metadata lives there)";
		}
		if (address.isMulticastAddress()) {
			return "a multicast address";
		}
		if (address.isSiteLocalAddress()) {
			return "a private address";
		}
		byte[] b = address.getAddress();
		if (address instanceof Inet4Address) {
			int first = b[0] & 0xff;
			int second = b[1] & 0xff;
			if (first == 0 || first >= 240 || (first == 100 && second >= 64 && second < 128)
					|| (first == 192 && second == 0 && (b[2] & 0xff) == 0)
					|| (first == 198 && (second == 18 || second == 19))) {
				return "a reserved or shared address";
			}
		}
		if (address instanceof Inet6Address) {
			if ((b[0] & 0xfe) == 0xfc) {
				return "a unique-local address";
			}
			if (isIpv4Mapped(b)) {
				try {
					return refusalOf(InetAddress.getByAddress(java.util.Arrays.copyOfRange(b, 12, 16)));
				}
				catch (UnknownHostException ex) {
					return "a malformed address";
				}
			}
		}
		return null;
	}

	private static boolean isIpv4Mapped(byte[] b) {
		for (int i = 0; i < 10; i++) {
			if (b[i] != 0) {
				return false;
			}
		}
		return (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
	}

	/** A URL that webhooks may not be sent to. */
	public static class ForbiddenUrlException extends RuntimeException {

		public ForbiddenUrlException(String message) {
			super(message);
		}

	}

}
