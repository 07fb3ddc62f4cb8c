package dev.batchline.contracts.webhooks;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Where webhooks may go (the SSRF guard). Only {@code http} and {@code https} URLs whose
 * host resolves to public addresses only: every address in {@link #NON_PUBLIC} (the rows
 * of IANA's IPv4 and IPv6 Special-Purpose Address Registries, multicast, and IPv6 outside
 * global unicast) is refused. The same check runs when an endpoint is registered and
 * again at every send, on the addresses the connection then uses. A refusal never says
 * what the host resolved to, so the guard cannot be used to read internal DNS.
 *
 * @param allowPrivateNetworks lift the address checks (for local runs and tests only)
 */
public record UrlPolicy(boolean allowPrivateNetworks) {

	private static final int MAX_URL_LENGTH = 2048;

	/**
	 * The refused address ranges, one row per registry entry (RFC in the comment). Rows
	 * inside another row are kept so the table can be read against the registries; the
	 * most specific one names an address's range. IPv4-mapped addresses
	 * ({@code ::ffff:0:0/96}) are judged by the IPv4 address they hold, as Java resolves
	 * them to that IPv4 address and connects over IPv4.
	 */
	static final List<Cidr> NON_PUBLIC = List.of(
	// @formatter:off
			// IANA IPv4 Special-Purpose Address Registry
			Cidr.of("0.0.0.0/8", "this network"), // RFC 791 §3.2
			Cidr.of("0.0.0.0/32", "this host on this network"), // RFC 1122 §3.2.1.3
			Cidr.of("10.0.0.0/8", "private use"), // RFC 1918
			Cidr.of("100.64.0.0/10", "shared address space (carrier-grade NAT)"), // RFC 6598
			Cidr.of("127.0.0.0/8", "loopback"), // RFC 1122 §3.2.1.3
			Cidr.of("169.254.0.0/16", "link local (cloud metadata)"), // RFC 3927
			Cidr.of("172.16.0.0/12", "private use"), // RFC 1918
			Cidr.of("192.0.0.0/24", "IETF protocol assignments"), // RFC 6890 §2.1
			Cidr.of("192.0.0.0/29", "IPv4 service continuity prefix (DS-Lite)"), // RFC 7335
			Cidr.of("192.0.0.8/32", "IPv4 dummy address"), // RFC 7600
			Cidr.of("192.0.0.9/32", "port control protocol anycast"), // RFC 7723
			Cidr.of("192.0.0.10/32", "traversal using relays around NAT anycast"), // RFC 8155
			Cidr.of("192.0.0.170/32", "NAT64/DNS64 discovery"), // RFC 8880, RFC 7050
			Cidr.of("192.0.0.171/32", "NAT64/DNS64 discovery"), // RFC 8880, RFC 7050
			Cidr.of("192.0.2.0/24", "documentation (TEST-NET-1)"), // RFC 5737
			Cidr.of("192.31.196.0/24", "AS112-v4"), // RFC 7535
			Cidr.of("192.52.193.0/24", "automatic multicast tunneling"), // RFC 7450
			Cidr.of("192.88.99.0/24", "deprecated 6to4 relay anycast"), // RFC 7526
			Cidr.of("192.88.99.2/32", "6a44 relay anycast"), // RFC 6751
			Cidr.of("192.168.0.0/16", "private use"), // RFC 1918
			Cidr.of("192.175.48.0/24", "direct delegation AS112 service"), // RFC 7534
			Cidr.of("198.18.0.0/15", "benchmarking"), // RFC 2544
			Cidr.of("198.51.100.0/24", "documentation (TEST-NET-2)"), // RFC 5737
			Cidr.of("203.0.113.0/24", "documentation (TEST-NET-3)"), // RFC 5737
			Cidr.of("240.0.0.0/4", "reserved"), // RFC 1112 §4
			Cidr.of("255.255.255.255/32", "limited broadcast"), // RFC 8190, RFC 919 §7
			// IPv4 multicast (IANA IPv4 Multicast Address Space Registry)
			Cidr.of("224.0.0.0/4", "multicast"), // RFC 5771
			// IANA IPv6 Special-Purpose Address Registry
			Cidr.of("::1/128", "loopback"), // RFC 4291 §2.5.3
			Cidr.of("::/128", "unspecified"), // RFC 4291 §2.5.2
			Cidr.of("::/96", "IPv4-compatible (deprecated)"), // RFC 4291 §2.5.5.1
			Cidr.of("::ffff:0:0:0/96", "IPv4-translated"), // RFC 2765 §2.1
			Cidr.of("64:ff9b::/96", "IPv4-IPv6 translation (NAT64)"), // RFC 6052
			Cidr.of("64:ff9b:1::/48", "IPv4-IPv6 translation, local use"), // RFC 8215
			Cidr.of("100::/64", "discard only"), // RFC 6666
			Cidr.of("100:0:0:1::/64", "dummy IPv6 prefix"), // IANA registry, 2025
			Cidr.of("2001::/23", "IETF protocol assignments"), // RFC 2928
			Cidr.of("2001::/32", "Teredo"), // RFC 4380, RFC 8190
			Cidr.of("2001:1::1/128", "port control protocol anycast"), // RFC 7723
			Cidr.of("2001:1::2/128", "traversal using relays around NAT anycast"), // RFC 8155
			Cidr.of("2001:1::3/128", "DNS-SD service registration protocol anycast"), // RFC 9665
			Cidr.of("2001:2::/48", "benchmarking"), // RFC 5180, RFC Errata 1752
			Cidr.of("2001:3::/32", "automatic multicast tunneling"), // RFC 7450
			Cidr.of("2001:4:112::/48", "AS112-v6"), // RFC 7535
			Cidr.of("2001:10::/28", "ORCHID (deprecated)"), // RFC 4843
			Cidr.of("2001:20::/28", "ORCHIDv2"), // RFC 7343
			Cidr.of("2001:30::/28", "drone remote ID protocol entity tags"), // RFC 9374
			Cidr.of("2001:db8::/32", "documentation"), // RFC 3849
			Cidr.of("2002::/16", "6to4"), // RFC 3056
			Cidr.of("2620:4f:8000::/48", "direct delegation AS112 service"), // RFC 7534
			Cidr.of("3fff::/20", "documentation"), // RFC 9637
			Cidr.of("5f00::/16", "segment routing (SRv6) SIDs"), // RFC 9602
			Cidr.of("fc00::/7", "unique local"), // RFC 4193, RFC 8190
			Cidr.of("fe80::/10", "link-scoped unicast"), // RFC 4291 §2.5.6
			// beyond the special-purpose registry (IANA IPv6 Address Space Registry)
			Cidr.of("3ffe::/16", "former 6bone"), // RFC 3701
			Cidr.of("fec0::/10", "site-local (deprecated)"), // RFC 3879
			Cidr.of("ff00::/8", "multicast"), // RFC 4291 §2.7
			Cidr.of("::/3", "not global unicast"), // RFC 4291 §2.4: only 2000::/3 is assigned
			Cidr.of("4000::/2", "not global unicast"), // RFC 4291 §2.4
			Cidr.of("8000::/1", "not global unicast")); // RFC 4291 §2.4
	// @formatter:on

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
	 * refused; the message names the host as given, never an address it resolved to
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
		if (!this.allowPrivateNetworks) {
			for (InetAddress address : addresses) {
				if (refusalOf(address) != null) {
					throw new ForbiddenUrlException("the host '" + host + "' resolves to a non-public address");
				}
			}
		}
		return List.of(addresses);
	}

	/**
	 * The most specific range that refuses an address, or null when it is public. For
	 * tests only: which range it was must not reach a client.
	 */
	static Cidr refusalOf(InetAddress address) {
		byte[] bytes = address.getAddress();
		if (isIpv4Mapped(bytes)) {
			bytes = Arrays.copyOfRange(bytes, 12, 16);
		}
		Cidr longest = null;
		for (Cidr cidr : NON_PUBLIC) {
			if (cidr.contains(bytes) && (longest == null || cidr.bits() > longest.bits())) {
				longest = cidr;
			}
		}
		return longest;
	}

	private static boolean isIpv4Mapped(byte[] b) {
		if (b.length != 16) {
			return false;
		}
		for (int i = 0; i < 10; i++) {
			if (b[i] != 0) {
				return false;
			}
		}
		return (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
	}

	/**
	 * An address range.
	 *
	 * @param prefix the network address (4 or 16 bytes)
	 * @param bits the prefix length
	 * @param name what the range is, as the registry names it
	 */
	record Cidr(byte[] prefix, int bits, String name) {

		/** A range from its {@code address/bits} notation (literal addresses only). */
		static Cidr of(String notation, String name) {
			int slash = notation.indexOf('/');
			String literal = notation.substring(0, slash);
			byte[] prefix;
			try {
				prefix = InetAddress.getByName(literal).getAddress();
			}
			catch (UnknownHostException ex) {
				throw new IllegalArgumentException(notation, ex);
			}
			if (literal.contains(":") && prefix.length == 4) {
				// Java turns IPv4-mapped literals into IPv4 addresses
				throw new IllegalArgumentException("an IPv4-mapped range cannot be matched: " + notation);
			}
			int bits = Integer.parseInt(notation.substring(slash + 1));
			if (bits < 0 || bits > prefix.length * 8) {
				throw new IllegalArgumentException(notation);
			}
			return new Cidr(prefix, bits, name);
		}

		boolean contains(byte[] address) {
			if (address.length != this.prefix.length) {
				return false;
			}
			int whole = this.bits / 8;
			for (int i = 0; i < whole; i++) {
				if (address[i] != this.prefix[i]) {
					return false;
				}
			}
			int rest = this.bits % 8;
			if (rest == 0) {
				return true;
			}
			int mask = (0xff << (8 - rest)) & 0xff;
			return (address[whole] & mask) == (this.prefix[whole] & mask);
		}

		@Override
		public String toString() {
			try {
				return InetAddress.getByAddress(this.prefix).getHostAddress() + "/" + this.bits + " (" + this.name
						+ ")";
			}
			catch (UnknownHostException ex) {
				throw new IllegalStateException(ex);
			}
		}

	}

	/** A URL that webhooks may not be sent to. */
	public static class ForbiddenUrlException extends RuntimeException {

		public ForbiddenUrlException(String message) {
			super(message);
		}

	}

}
