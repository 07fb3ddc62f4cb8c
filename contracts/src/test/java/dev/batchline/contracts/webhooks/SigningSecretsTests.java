package dev.batchline.contracts.webhooks;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class SigningSecretsTests {

	private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

	private final String current = WebhookSecret.generate().value();

	private final String previous = WebhookSecret.generate().value();

	@Test
	void signsWithThePreviousSecretTooWhileTheOverlapLasts() {
		SigningSecrets secrets = new SigningSecrets(this.current, this.previous, NOW.plus(Duration.ofHours(1)));
		assertThat(secrets.asOf(NOW)).isEqualTo(secrets);
		assertThat(secrets.keys(NOW)).containsExactly(WebhookSecret.parse(this.current),
				WebhookSecret.parse(this.previous));
		String header = WebhookSigner.sign("msg_1", NOW.getEpochSecond(), "{}".getBytes(), secrets.keys(NOW));
		assertThat(header.split(" ")).hasSize(2);
	}

	@Test
	void forgetsThePreviousSecretOnceTheOverlapHasEnded() {
		SigningSecrets secrets = new SigningSecrets(this.current, this.previous, NOW);
		assertThat(secrets.asOf(NOW)).isEqualTo(new SigningSecrets(this.current, null, null));
		assertThat(secrets.keys(NOW)).containsExactly(WebhookSecret.parse(this.current));
	}

	@Test
	void signsWithTheEd25519KeysOfAV1aEndpointAndThePreviousOneWhileTheOverlapLasts() {
		WebhookKeyPair next = WebhookKeyPair.generate();
		WebhookKeyPair previous = WebhookKeyPair.generate();
		SigningSecrets keys = new SigningSecrets(next.secretKey().value(), previous.secretKey().value(),
				NOW.plus(Duration.ofHours(1)));
		assertThat(keys.keys(NOW)).containsExactly(next.secretKey(), previous.secretKey());
		String header = WebhookSigner.sign("msg_1", NOW.getEpochSecond(), "{}".getBytes(), keys.keys(NOW));
		assertThat(header).matches("v1a,\\S+ v1a,\\S+");
		assertThat(new SigningSecrets(next.secretKey().value(), previous.secretKey().value(), NOW).keys(NOW))
			.containsExactly(next.secretKey());
	}

	@Test
	void cannotSignWithoutACurrentSecret() {
		assertThatIllegalStateException().isThrownBy(() -> new SigningSecrets(null, null, null).keys(NOW));
	}

}
