package dev.batchline.contracts.webhooks;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class UrlPolicyTests {

	private final UrlPolicy policy = new UrlPolicy(false);

	@ParameterizedTest
	@ValueSource(strings = { "http://127.0.0.1/hook", "http://localhost:8080/hook", "http://[::1]/hook",
			"http://10.1.2.3/", "http://172.16.0.1/", "http://192.168.1.1/", "http://169.254.169.254/latest/meta-data",
			"http://[fe80::1]/", "http://[fd12:3456::1]/", "http://224.0.0.1/", "http://0.0.0.0/", "http://[::]/",
			"http://100.64.0.1/", "http://[::ffff:127.0.0.1]/" })
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
	@ValueSource(strings = { "https://8.8.8.8/hook", "http://1.1.1.1:8080/x", "https://[2606:4700:4700::1111]/" })
	void allowsPublicAddresses(String url) {
		assertThat(this.policy.check(url)).isNotEmpty();
	}

	@ParameterizedTest
	@ValueSource(strings = { "http://127.0.0.1/hook", "http://10.0.0.1/" })
	void allowsPrivateNetworksOnlyWhenTurnedOn(String url) {
		assertThat(new UrlPolicy(true).check(url)).isNotEmpty();
	}

}
