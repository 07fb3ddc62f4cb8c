package dev.batchline.dispatcher.delivery;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.batchline.contracts.webhooks.UrlPolicy;
import dev.batchline.dispatcher.system.WebhookProperties;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The SSRF guard at send time: the client refuses forbidden addresses in its own name
 * resolution, so nothing reaches them even when a server listens there.
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

	private static WebhookClient client(boolean allowPrivateNetworks) {
		return new WebhookClient(new WebhookProperties(List.of(Duration.ofSeconds(1)), 0, Duration.ofSeconds(2),
				Duration.ofHours(1), 8, 4, 5, Duration.ofSeconds(30), Duration.ofMillis(500), 100, allowPrivateNetworks,
				"http://localhost:8080", "Batchline-Webhooks/test"));
	}

}
