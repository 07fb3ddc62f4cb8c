package dev.batchline.contracts.webhooks;

import java.net.InetAddress;
import java.net.UnknownHostException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class UrlPolicyTests {

	private final UrlPolicy policy = new UrlPolicy(false);

	@ParameterizedTest
	@ValueSource(strings = { "http://127.0.0.1/hook", "http://localhost:8080/hook", "http://[::1]/hook",
			"http://10.1.2.3/", "http://172.16.0.1/", "http://192.168.1.1/", "http://169.254.169.254/latest/meta-data",
			"http://[fe80::1]/", "http://[fd12:3456::1]/", "http://224.0.0.1/", "http://0.0.0.0/", "http://[::]/",
			"http://100.64.0.1/", "http://[::ffff:127.0.0.1]/", "http://[64:ff9b::a9fe:a9fe]/",
			"http://[2002:7f00:1::]/", "http://[2001::1]/", "http://[::127.0.0.1]/", "http://2130706433/",
			"http://[fec0::1]/", "http://[ff02::1]/", "http://255.255.255.255/" })
	void refusesEveryNonPublicAddressClass(String url) {
		assertThatExceptionOfType(UrlPolicy.ForbiddenUrlException.class).isThrownBy(() -> this.policy.check(url));
	}

	@ParameterizedTest
	@ValueSource(strings = { "ftp://example.com/", "file:///etc/passwd", "gopher://x/", "http://user:pw@8.8.8.8/",
			"not a url", "", "http:///nohost" })
	void refusesOtherSchemesCredentialsAndMalformedUrls(String url) {
		assertThatExceptionOfType(UrlPolicy.ForbiddenUrlException.class).isThrownBy(() -> this.policy.check(url));
	}

	@ParameterizedTest
	@ValueSource(strings = { "https://8.8.8.8/hook", "http://1.1.1.1:8080/x", "https://[2606:4700:4700::1111]/",
			"http://[::ffff:8.8.8.8]/" })
	void allowsPublicAddresses(String url) {
		assertThat(this.policy.check(url)).isNotEmpty();
	}

	@ParameterizedTest
	@ValueSource(strings = { "http://127.0.0.1/hook", "http://10.0.0.1/", "http://localhost/", "http://[fd00::1]/",
			"http://[64:ff9b::1]/" })
	void allowsPrivateNetworksOnlyWhenTurnedOn(String url) {
		assertThat(new UrlPolicy(true).check(url)).isNotEmpty();
	}

	@Test
	void aRefusalSaysOnlyThatTheHostResolvesToANonPublicAddress() {
		assertThatExceptionOfType(UrlPolicy.ForbiddenUrlException.class)
			.isThrownBy(() -> this.policy.check("http://localhost:8080/hook"))
			.withMessage("the host 'localhost' resolves to a non-public address");
	}

	@ParameterizedTest
	@ValueSource(strings = { "http://localhost/", "http://2130706433/", "http://[64:ff9b::a00:1]/",
			"http://169.254.169.254/" })
	void aRefusalNamesNeitherTheAddressNorItsRange(String url) throws UnknownHostException {
		String host = this.policy.checkForm(url).getHost();
		String message = catchThrowableOfType(UrlPolicy.ForbiddenUrlException.class, () -> this.policy.check(url))
			.getMessage();
		assertThat(message).isEqualTo("the host '" + host + "' resolves to a non-public address");
		String rest = message.replace("'" + host + "'", "");
		for (InetAddress address : InetAddress.getAllByName(host.replace("[", "").replace("]", ""))) {
			assertThat(rest).doesNotContain(address.getHostAddress())
				.doesNotContain(UrlPolicy.refusalOf(address).name());
		}
	}

	@Test
	void everyRangeIsWrittenAsItsNetworkAddress() {
		for (UrlPolicy.Cidr cidr : UrlPolicy.NON_PUBLIC) {
			for (int bit = cidr.bits(); bit < cidr.prefix().length * 8; bit++) {
				assertThat(cidr.prefix()[bit / 8] & (0x80 >> (bit % 8))).as(cidr.toString()).isZero();
			}
		}
	}

	/**
	 * Each range at its first and last address, and the addresses just outside it: the
	 * most specific range that holds an address, or {@code public}.
	 */
	@ParameterizedTest(name = "{0} is {1}")
	@CsvSource(delimiter = '|', textBlock = """
			# IPv4
			0.0.0.0                                 | this host on this network
			0.0.0.1                                 | this network
			0.255.255.255                           | this network
			1.0.0.0                                 | public
			9.255.255.255                           | public
			10.0.0.0                                | private use
			10.255.255.255                          | private use
			11.0.0.0                                | public
			100.63.255.255                          | public
			100.64.0.0                              | shared address space (carrier-grade NAT)
			100.127.255.255                         | shared address space (carrier-grade NAT)
			100.128.0.0                             | public
			126.255.255.255                         | public
			127.0.0.0                               | loopback
			127.255.255.255                         | loopback
			128.0.0.0                               | public
			169.253.255.255                         | public
			169.254.0.0                             | link local (cloud metadata)
			169.254.169.254                         | link local (cloud metadata)
			169.254.255.255                         | link local (cloud metadata)
			169.255.0.0                             | public
			172.15.255.255                          | public
			172.16.0.0                              | private use
			172.31.255.255                          | private use
			172.32.0.0                              | public
			191.255.255.255                         | public
			192.0.0.0                               | IPv4 service continuity prefix (DS-Lite)
			192.0.0.7                               | IPv4 service continuity prefix (DS-Lite)
			192.0.0.8                               | IPv4 dummy address
			192.0.0.9                               | port control protocol anycast
			192.0.0.10                              | traversal using relays around NAT anycast
			192.0.0.11                              | IETF protocol assignments
			192.0.0.169                             | IETF protocol assignments
			192.0.0.170                             | NAT64/DNS64 discovery
			192.0.0.171                             | NAT64/DNS64 discovery
			192.0.0.255                             | IETF protocol assignments
			192.0.1.0                               | public
			192.0.1.255                             | public
			192.0.2.0                               | documentation (TEST-NET-1)
			192.0.2.255                             | documentation (TEST-NET-1)
			192.0.3.0                               | public
			192.31.195.255                          | public
			192.31.196.0                            | AS112-v4
			192.31.196.255                          | AS112-v4
			192.31.197.0                            | public
			192.52.192.255                          | public
			192.52.193.0                            | automatic multicast tunneling
			192.52.193.255                          | automatic multicast tunneling
			192.52.194.0                            | public
			192.88.98.255                           | public
			192.88.99.0                             | deprecated 6to4 relay anycast
			192.88.99.2                             | 6a44 relay anycast
			192.88.99.255                           | deprecated 6to4 relay anycast
			192.88.100.0                            | public
			192.167.255.255                         | public
			192.168.0.0                             | private use
			192.168.255.255                         | private use
			192.169.0.0                             | public
			192.175.47.255                          | public
			192.175.48.0                            | direct delegation AS112 service
			192.175.48.255                          | direct delegation AS112 service
			192.175.49.0                            | public
			198.17.255.255                          | public
			198.18.0.0                              | benchmarking
			198.19.255.255                          | benchmarking
			198.20.0.0                              | public
			198.51.99.255                           | public
			198.51.100.0                            | documentation (TEST-NET-2)
			198.51.100.255                          | documentation (TEST-NET-2)
			198.51.101.0                            | public
			203.0.112.255                           | public
			203.0.113.0                             | documentation (TEST-NET-3)
			203.0.113.255                           | documentation (TEST-NET-3)
			203.0.114.0                             | public
			223.255.255.255                         | public
			224.0.0.0                               | multicast
			239.255.255.255                         | multicast
			240.0.0.0                               | reserved
			255.255.255.254                         | reserved
			255.255.255.255                         | limited broadcast
			# IPv4-mapped: judged by the IPv4 address
			::ffff:0.0.0.0                          | this host on this network
			::ffff:10.0.0.1                         | private use
			::ffff:169.254.169.254                  | link local (cloud metadata)
			::ffff:8.8.8.8                          | public
			# IPv6
			::                                      | unspecified
			::1                                     | loopback
			::2                                     | IPv4-compatible (deprecated)
			::127.0.0.1                             | IPv4-compatible (deprecated)
			::8.8.8.8                               | IPv4-compatible (deprecated)
			::ffff:ffff                             | IPv4-compatible (deprecated)
			::1:0:0                                 | not global unicast
			::fffe:ffff:ffff                        | not global unicast
			::ffff:0:0:0                            | IPv4-translated
			::ffff:0:8.8.8.8                        | IPv4-translated
			::ffff:0:ffff:ffff                      | IPv4-translated
			::1:0:0:0                               | not global unicast
			64:ff9a:ffff:ffff:ffff:ffff:ffff:ffff   | not global unicast
			64:ff9b::                               | IPv4-IPv6 translation (NAT64)
			64:ff9b::8.8.8.8                        | IPv4-IPv6 translation (NAT64)
			64:ff9b::ffff:ffff                      | IPv4-IPv6 translation (NAT64)
			64:ff9b::1:0:0                          | not global unicast
			64:ff9b:0:ffff:ffff:ffff:ffff:ffff      | not global unicast
			64:ff9b:1::                             | IPv4-IPv6 translation, local use
			64:ff9b:1:ffff:ffff:ffff:ffff:ffff      | IPv4-IPv6 translation, local use
			64:ff9b:2::                             | not global unicast
			100::                                   | discard only
			100::ffff:ffff:ffff:ffff                | discard only
			100:0:0:1::                             | dummy IPv6 prefix
			100:0:0:1:ffff:ffff:ffff:ffff           | dummy IPv6 prefix
			100:0:0:2::                             | not global unicast
			1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff | not global unicast
			2000::                                  | public
			2001::                                  | Teredo
			2001:0:ffff:ffff:ffff:ffff:ffff:ffff    | Teredo
			2001:1::                                | IETF protocol assignments
			2001:1::1                               | port control protocol anycast
			2001:1::2                               | traversal using relays around NAT anycast
			2001:1::3                               | DNS-SD service registration protocol anycast
			2001:1::4                               | IETF protocol assignments
			2001:1:ffff:ffff:ffff:ffff:ffff:ffff    | IETF protocol assignments
			2001:2::                                | benchmarking
			2001:2:0:ffff:ffff:ffff:ffff:ffff       | benchmarking
			2001:2:1::                              | IETF protocol assignments
			2001:3::                                | automatic multicast tunneling
			2001:3:ffff:ffff:ffff:ffff:ffff:ffff    | automatic multicast tunneling
			2001:4:111:ffff:ffff:ffff:ffff:ffff     | IETF protocol assignments
			2001:4:112::                            | AS112-v6
			2001:4:112:ffff:ffff:ffff:ffff:ffff     | AS112-v6
			2001:4:113::                            | IETF protocol assignments
			2001:f:ffff:ffff:ffff:ffff:ffff:ffff    | IETF protocol assignments
			2001:10::                               | ORCHID (deprecated)
			2001:1f:ffff:ffff:ffff:ffff:ffff:ffff   | ORCHID (deprecated)
			2001:20::                               | ORCHIDv2
			2001:2f:ffff:ffff:ffff:ffff:ffff:ffff   | ORCHIDv2
			2001:30::                               | drone remote ID protocol entity tags
			2001:3f:ffff:ffff:ffff:ffff:ffff:ffff   | drone remote ID protocol entity tags
			2001:40::                               | IETF protocol assignments
			2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff  | IETF protocol assignments
			2001:200::                              | public
			2001:db7:ffff:ffff:ffff:ffff:ffff:ffff  | public
			2001:db8::                              | documentation
			2001:db8:ffff:ffff:ffff:ffff:ffff:ffff  | documentation
			2001:db9::                              | public
			2001:ffff:ffff:ffff:ffff:ffff:ffff:ffff | public
			2002::                                  | 6to4
			2002:c0a8:101::1                        | 6to4
			2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff | 6to4
			2003::                                  | public
			2620:4f:7fff:ffff:ffff:ffff:ffff:ffff   | public
			2620:4f:8000::                          | direct delegation AS112 service
			2620:4f:8000:ffff:ffff:ffff:ffff:ffff   | direct delegation AS112 service
			2620:4f:8001::                          | public
			2606:4700:4700::1111                    | public
			3ffd:ffff:ffff:ffff:ffff:ffff:ffff:ffff | public
			3ffe::                                  | former 6bone
			3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff | former 6bone
			3fff::                                  | documentation
			3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff  | documentation
			3fff:1000::                             | public
			3fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff | public
			4000::                                  | not global unicast
			5eff:ffff:ffff:ffff:ffff:ffff:ffff:ffff | not global unicast
			5f00::                                  | segment routing (SRv6) SIDs
			5f00:ffff:ffff:ffff:ffff:ffff:ffff:ffff | segment routing (SRv6) SIDs
			5f01::                                  | not global unicast
			7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff | not global unicast
			8000::                                  | not global unicast
			fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff | not global unicast
			fc00::                                  | unique local
			fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff | unique local
			fe00::                                  | not global unicast
			fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff | not global unicast
			fe80::                                  | link-scoped unicast
			febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff | link-scoped unicast
			fec0::                                  | site-local (deprecated)
			feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff | site-local (deprecated)
			ff00::                                  | multicast
			ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff | multicast
			""")
	void everyRangeHoldsItsBoundariesAndNothingJustOutside(String literal, String expected)
			throws UnknownHostException {
		UrlPolicy.Cidr range = UrlPolicy.refusalOf(InetAddress.getByName(literal));
		assertThat((range != null) ? range.name() : "public").isEqualTo(expected);
		if (expected.equals("public")) {
			assertThat(this.policy.resolve(literal)).isNotEmpty();
		}
		else {
			assertThatExceptionOfType(UrlPolicy.ForbiddenUrlException.class)
				.isThrownBy(() -> this.policy.resolve(literal))
				.withMessage("the host '" + literal + "' resolves to a non-public address");
			assertThat(new UrlPolicy(true).resolve(literal)).isNotEmpty();
		}
	}

}
