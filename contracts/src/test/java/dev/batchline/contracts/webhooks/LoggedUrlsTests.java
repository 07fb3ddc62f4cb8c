package dev.batchline.contracts.webhooks;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LoggedUrlsTests {

	@Test
	void keepsOnlyTheSchemeHostAndPort() {
		assertThat(LoggedUrls.origin("https://hooks.example.com:8443/t/abc?key=secret#x"))
			.isEqualTo("https://hooks.example.com:8443/…");
		assertThat(LoggedUrls.origin("http://user:password@10.0.0.1/hook")).isEqualTo("http://10.0.0.1/…");
		assertThat(LoggedUrls.origin("not a url ?token=secret")).doesNotContain("secret");
	}

}
