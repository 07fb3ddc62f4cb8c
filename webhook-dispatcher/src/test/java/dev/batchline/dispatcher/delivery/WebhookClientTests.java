package dev.batchline.dispatcher.delivery;

import java.util.Map;

import dev.batchline.contracts.webhooks.UrlPolicy;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The client on its own: the SSRF guard at send time (forbidden addresses are refused in
 * the client's own name resolution, so nothing reaches them even when a server listens
 * there), no redirects, and what a connection closed without an answer looks like.
 */
class WebhookClientTests {

	@Test
	void refusesLoopbackAtSendTimeEvenWhenAReceiverListensThere() throws Exception {
		try (TestReceiver receiver = TestReceiver.start((n) -> TestReceiver.Answer.status(200));
				WebhookClient client = client(false)) {
			assertThatExceptionOfType(UrlPolicy.ForbiddenUrlException.class)
				.isThrownBy(() -> client.post(receiver.url(), Map.of(), new byte[0]));
			String byName = receiver.url().replace("127.0.0.1", "localhost");
			assertThatExceptionOfType(UrlPolicy.ForbiddenUrlException.class)
				.isThrownBy(() -> client.post(byName, Map.of(), new byte[0]));
			assertThat(receiver.received()).isEmpty();
		}
	}

	@Test
	void sendsToLoopbackOnlyWhenPrivateNetworksAreAllowedAndFollowsNoRedirect() throws Exception {
		try (TestReceiver receiver = TestReceiver.start((n) -> TestReceiver.Answer.status(302));
				WebhookClient client = client(true)) {
			assertThat(client.post(receiver.url(), Map.of("webhook-id", "msg_1"), "{}".getBytes()).statusCode())
				.isEqualTo(302);
			assertThat(receiver.received()).hasSize(1);
			assertThat(receiver.received().get(0).userAgent()).contains("Batchline");
			assertThat(receiver.received().get(0).contentType()).startsWith("application/json");
		}
	}

	@Test
	void aConnectionClosedWithoutAnAnswerIsNoAnswerForTheClientItself() throws Exception {
		// what the application's spring-retry proxy retries in-process (see
		// WebhookDeliveryIntegrationTests); the bare client tries once
		try (TestReceiver receiver = TestReceiver.start((n) -> TestReceiver.Answer.drop());
				WebhookClient client = client(true)) {
			assertThatExceptionOfType(NoHttpResponseException.class)
				.isThrownBy(() -> client.post(receiver.url(), Map.of(), "{}".getBytes()));
			assertThat(receiver.received()).hasSize(1);
		}
	}

	private static WebhookClient client(boolean allowPrivateNetworks) {
		return new WebhookClient(WebhookSettings.of("timeout", "2s", "allow-private-networks",
				String.valueOf(allowPrivateNetworks), "user-agent", "Batchline-Webhooks/test"));
	}

}
