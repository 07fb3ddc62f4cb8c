package dev.batchline.contracts.webhooks;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNoException;

/** Against the Standard Webhooks specification's published example values. */
class WebhookSignatureTests {

	private static final WebhookSecret SPEC_SECRET = WebhookSecret.parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");

	private static final String SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";

	private static final long SPEC_TIMESTAMP = 1614265330;

	private static final byte[] SPEC_BODY = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);

	private static final String SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

	@Test
	void signsTheSpecificationsExampleToItsPublishedSignature() {
		assertThat(WebhookSigner.sign(SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY, List.of(SPEC_SECRET)))
			.isEqualTo(SPEC_SIGNATURE);
	}

	@Test
	void verifiesThePublishedSignatureWithinTheTolerance() {
		assertThatNoException().isThrownBy(() -> verifierAt(SPEC_TIMESTAMP + 299).verify(SPEC_ID,
				Long.toString(SPEC_TIMESTAMP), SPEC_SIGNATURE, SPEC_BODY));
	}

	@Test
	void rejectsAnAlteredBodyAnotherIdAStaleTimestampAndAMissingHeader() {
		WebhookVerifier verifier = verifierAt(SPEC_TIMESTAMP);
		String timestamp = Long.toString(SPEC_TIMESTAMP);
		assertThatExceptionOfType(WebhookVerificationException.class)
			.isThrownBy(() -> verifier.verify(SPEC_ID, timestamp, SPEC_SIGNATURE, "{\"test\": 2432232315}".getBytes()));
		assertThatExceptionOfType(WebhookVerificationException.class)
			.isThrownBy(() -> verifier.verify("msg_other", timestamp, SPEC_SIGNATURE, SPEC_BODY));
		assertThatExceptionOfType(WebhookVerificationException.class)
			.isThrownBy(() -> verifierAt(SPEC_TIMESTAMP + 301).verify(SPEC_ID, timestamp, SPEC_SIGNATURE, SPEC_BODY))
			.withMessageContaining("tolerance");
		assertThatExceptionOfType(WebhookVerificationException.class)
			.isThrownBy(() -> verifier.verify(SPEC_ID, timestamp, null, SPEC_BODY));
		assertThatExceptionOfType(WebhookVerificationException.class)
			.isThrownBy(() -> verifier.verify(SPEC_ID, timestamp, "v2,abc v1,not-base64!", SPEC_BODY));
	}

	@Test
	void whileASecretRotatesBothSignaturesAreSentAndEitherSecretVerifies() {
		WebhookSecret next = WebhookSecret.generate();
		String both = WebhookSigner.sign(SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY, List.of(next, SPEC_SECRET));
		assertThat(both.split(" ")).hasSize(2).contains(SPEC_SIGNATURE);
		Clock at = Clock.fixed(Instant.ofEpochSecond(SPEC_TIMESTAMP), ZoneOffset.UTC);
		assertThatNoException().isThrownBy(() -> new WebhookVerifier(List.of(next), Duration.ofMinutes(5), at)
			.verify(SPEC_ID, Long.toString(SPEC_TIMESTAMP), both, SPEC_BODY));
	}

	@Test
	void secretsRoundTripAndShortOrMalformedOnesAreRefused() {
		WebhookSecret secret = WebhookSecret.generate();
		assertThat(secret.value()).startsWith("whsec_");
		assertThat(WebhookSecret.parse(secret.value())).isEqualTo(secret);
		assertThat(WebhookSecret.parse("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")).isEqualTo(SPEC_SECRET);
		assertThat(secret.toString()).doesNotContain(secret.value().substring(6));
		assertThatIllegalArgumentException().isThrownBy(() -> WebhookSecret.parse("whsec_c2hvcnQ="));
		assertThatIllegalArgumentException().isThrownBy(() -> WebhookSecret.parse("whsec_not base64!"));
	}

	private static WebhookVerifier verifierAt(long epochSeconds) {
		return new WebhookVerifier(List.of(SPEC_SECRET), WebhookVerifier.DEFAULT_TOLERANCE,
				Clock.fixed(Instant.ofEpochSecond(epochSeconds), ZoneOffset.UTC));
	}

}
