package dev.batchline.contracts.webhooks;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.EdECPoint;
import java.security.spec.EdECPublicKeySpec;
import java.security.spec.NamedParameterSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * Standard Webhooks {@code v1a}: Ed25519 over {@code <msg_id>.<timestamp>.<body>}, sent
 * as {@code v1a,<base64>}, keys as {@code whsk_}/{@code whpk_} and the base64 of the raw
 * RFC 8032 keys. No JVM Standard Webhooks library implements {@code v1a}
 * ({@code com.standardwebhooks:standardwebhooks} 1.2.0 and {@code com.svix:svix} 1.99
 * verify {@code v1} only), so the signatures are checked here with the JDK's Ed25519
 * directly, on content built by the test and a public key decoded by the test from the
 * {@code whpk_} text, without the project's verifier.
 */
class AsymmetricSignatureTests {

	private static final String ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";

	private static final long TIMESTAMP = 1614265330;

	private static final byte[] BODY = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);

	// RFC 8032 §7.1, TEST 1
	private static final byte[] RFC_SECRET = HexFormat.of()
		.parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");

	private static final byte[] RFC_PUBLIC = HexFormat.of()
		.parseHex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");

	private static final byte[] RFC_SIGNATURE = HexFormat.of()
		.parseHex(
				"e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");

	@Test
	void signsV1aSignaturesThatTheJdkVerifiesWithTheTenantsPublicKey() throws Exception {
		WebhookKeyPair pair = WebhookKeyPair.generate();
		assertThat(pair.secretKey().value()).startsWith("whsk_");
		assertThat(pair.publicKey().value()).startsWith("whpk_");

		String header = WebhookSigner.sign(ID, TIMESTAMP, BODY, List.of(pair.secretKey()));

		assertThat(header).startsWith("v1a,").doesNotContain(" ");
		assertThat(jdkVerifies(pair.publicKey().value(), ID, TIMESTAMP, BODY, header)).isTrue();
		assertThatNoException().isThrownBy(
				() -> verifierAt(TIMESTAMP, pair.publicKey()).verify(ID, Long.toString(TIMESTAMP), header, BODY));
	}

	@Test
	void keysAreTheRawRfc8032KeysInBase64() throws Exception {
		String secretText = "whsk_" + Base64.getEncoder().encodeToString(RFC_SECRET);
		String publicText = "whpk_" + Base64.getEncoder().encodeToString(RFC_PUBLIC);
		WebhookSecretKey secret = WebhookSecretKey.parse(secretText);
		WebhookPublicKey publicKey = WebhookPublicKey.parse(publicText);
		assertThat(secret.value()).isEqualTo(secretText);
		assertThat(publicKey.value()).isEqualTo(publicText);
		// RFC 8032's signature of the empty message, from the seed and with the public
		// key
		assertThat(secret.sign(new byte[0])).isEqualTo(RFC_SIGNATURE);
		Signature jdk = Signature.getInstance("Ed25519");
		jdk.initVerify(publicKey.publicKey());
		assertThat(jdk.verify(RFC_SIGNATURE)).isTrue();
		// and the pair signs webhooks that verify with the RFC's public key
		String header = WebhookSigner.sign(ID, TIMESTAMP, BODY, List.of(secret));
		assertThat(jdkVerifies(publicText, ID, TIMESTAMP, BODY, header)).isTrue();
	}

	@Test
	void whileAKeyRotatesBothSignaturesAreSentAndEitherPublicKeyVerifies() throws Exception {
		WebhookKeyPair next = WebhookKeyPair.generate();
		WebhookKeyPair previous = WebhookKeyPair.generate();
		String both = WebhookSigner.sign(ID, TIMESTAMP, BODY, List.of(next.secretKey(), previous.secretKey()));

		String[] signatures = both.split(" ");
		assertThat(signatures).hasSize(2).allMatch((signature) -> signature.startsWith("v1a,"));
		assertThat(jdkVerifies(next.publicKey().value(), ID, TIMESTAMP, BODY, signatures[0])).isTrue();
		assertThat(jdkVerifies(previous.publicKey().value(), ID, TIMESTAMP, BODY, signatures[1])).isTrue();
		assertThat(jdkVerifies(next.publicKey().value(), ID, TIMESTAMP, BODY, signatures[1])).isFalse();
		for (WebhookKeyPair pair : List.of(next, previous)) {
			assertThatNoException().isThrownBy(
					() -> verifierAt(TIMESTAMP, pair.publicKey()).verify(ID, Long.toString(TIMESTAMP), both, BODY));
		}
		// v1 and v1a side by side: each receiver verifies the one it has a key for
		WebhookSecret secret = WebhookSecret.generate();
		String mixed = WebhookSigner.sign(ID, TIMESTAMP, BODY, List.of(secret, next.secretKey()));
		assertThat(mixed).matches("v1,\\S+ v1a,\\S+");
		assertThatNoException()
			.isThrownBy(() -> verifierAt(TIMESTAMP, secret).verify(ID, Long.toString(TIMESTAMP), mixed, BODY));
		assertThatNoException().isThrownBy(
				() -> verifierAt(TIMESTAMP, next.publicKey()).verify(ID, Long.toString(TIMESTAMP), mixed, BODY));
	}

	@Test
	void rejectsATamperedBodyAnotherIdAStaleTimestampAWrongVersionAndBadBase64() throws Exception {
		WebhookKeyPair pair = WebhookKeyPair.generate();
		String header = WebhookSigner.sign(ID, TIMESTAMP, BODY, List.of(pair.secretKey()));
		byte[] tampered = "{\"test\": 2432232315}".getBytes(StandardCharsets.UTF_8);
		assertThat(jdkVerifies(pair.publicKey().value(), ID, TIMESTAMP, tampered, header)).isFalse();

		WebhookVerifier verifier = verifierAt(TIMESTAMP, pair.publicKey());
		String timestamp = Long.toString(TIMESTAMP);
		assertThatExceptionOfType(WebhookVerificationException.class)
			.isThrownBy(() -> verifier.verify(ID, timestamp, header, tampered));
		assertThatExceptionOfType(WebhookVerificationException.class)
			.isThrownBy(() -> verifier.verify("msg_other", timestamp, header, BODY));
		assertThatExceptionOfType(WebhookVerificationException.class)
			.isThrownBy(() -> verifierAt(TIMESTAMP + 301, pair.publicKey()).verify(ID, timestamp, header, BODY))
			.withMessageContaining("tolerance");
		String value = header.substring("v1a,".length());
		assertThatExceptionOfType(WebhookVerificationException.class)
			.isThrownBy(() -> verifier.verify(ID, timestamp, "v1," + value, BODY));
		assertThatExceptionOfType(WebhookVerificationException.class)
			.isThrownBy(() -> verifier.verify(ID, timestamp, "v2a," + value, BODY));
		assertThatExceptionOfType(WebhookVerificationException.class)
			.isThrownBy(() -> verifier.verify(ID, timestamp, "v1a,not base64!", BODY));
		String shortened = Base64.getEncoder()
			.encodeToString(Arrays.copyOf(Base64.getDecoder().decode(value), Ed25519.SIGNATURE_BYTES - 1));
		assertThatExceptionOfType(WebhookVerificationException.class)
			.isThrownBy(() -> verifier.verify(ID, timestamp, "v1a," + shortened, BODY));
		String otherKeys = WebhookSigner.sign(ID, TIMESTAMP, BODY, List.of(WebhookKeyPair.generate().secretKey()));
		assertThatExceptionOfType(WebhookVerificationException.class)
			.isThrownBy(() -> verifier.verify(ID, timestamp, otherKeys, BODY));
		// a v1 secret does not verify a v1a signature, nor a public key a v1 one
		assertThatExceptionOfType(WebhookVerificationException.class)
			.isThrownBy(() -> verifierAt(TIMESTAMP, WebhookSecret.generate()).verify(ID, timestamp, header, BODY));
		String hmac = WebhookSigner.sign(ID, TIMESTAMP, BODY, List.of(WebhookSecret.generate()));
		assertThatExceptionOfType(WebhookVerificationException.class)
			.isThrownBy(() -> verifier.verify(ID, timestamp, hmac, BODY));
		// and the untouched message still verifies, after all those
		assertThatNoException().isThrownBy(() -> verifier.verify(ID, timestamp, "v1a,x== " + header, BODY));
	}

	@Test
	void keysRoundTripAndMalformedOnesAreRefused() {
		WebhookKeyPair pair = WebhookKeyPair.generate();
		assertThat(WebhookSecretKey.parse(pair.secretKey().value())).isEqualTo(pair.secretKey());
		assertThat(WebhookPublicKey.parse(pair.publicKey().value())).isEqualTo(pair.publicKey());
		assertThat(SigningKey.parse(pair.secretKey().value())).isEqualTo(pair.secretKey());
		assertThat(VerificationKey.parse(pair.publicKey().value())).isEqualTo(pair.publicKey());
		assertThat(SigningKey.parse(WebhookSecret.generate().value())).isInstanceOf(WebhookSecret.class);
		assertThat(pair.toString()).doesNotContain(pair.secretKey().value().substring(5));
		String raw = pair.publicKey().value().substring(5);
		assertThatIllegalArgumentException().isThrownBy(() -> WebhookPublicKey.parse(raw));
		assertThatIllegalArgumentException().isThrownBy(() -> WebhookPublicKey.parse("whsk_" + raw));
		assertThatIllegalArgumentException().isThrownBy(() -> WebhookSecretKey.parse(pair.publicKey().value()));
		assertThatIllegalArgumentException().isThrownBy(() -> WebhookPublicKey.parse("whpk_c2hvcnQ="));
		assertThatIllegalArgumentException().isThrownBy(() -> WebhookSecretKey.parse("whsk_not base64!"));
		String longer = Base64.getEncoder().encodeToString(new byte[64]);
		assertThatIllegalArgumentException().isThrownBy(() -> WebhookSecretKey.parse("whsk_" + longer));
	}

	/**
	 * The specification's definition, checked with the JDK alone: the header holds
	 * {@code v1a,<base64 of an Ed25519 signature>} over
	 * {@code <msg_id>.<timestamp>.<body>}, and the public key is {@code whpk_} and the
	 * base64 of the 32-byte RFC 8032 encoding (y little-endian, the top bit x's parity).
	 */
	private static boolean jdkVerifies(String whpk, String id, long timestamp, byte[] body, String header)
			throws GeneralSecurityException {
		assertThat(whpk).startsWith("whpk_");
		byte[] encoded = Base64.getDecoder().decode(whpk.substring("whpk_".length()));
		assertThat(encoded).hasSize(32);
		boolean xOdd = (encoded[31] & 0x80) != 0;
		byte[] bigEndian = new byte[32];
		for (int i = 0; i < 32; i++) {
			bigEndian[i] = encoded[31 - i];
		}
		bigEndian[0] &= 0x7f;
		PublicKey key = KeyFactory.getInstance("Ed25519")
			.generatePublic(new EdECPublicKeySpec(NamedParameterSpec.ED25519,
					new EdECPoint(xOdd, new BigInteger(1, bigEndian))));
		assertThat(header).startsWith("v1a,");
		byte[] signature = Base64.getDecoder().decode(header.substring("v1a,".length()));
		Signature jdk = Signature.getInstance("Ed25519");
		jdk.initVerify(key);
		jdk.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
		jdk.update(body);
		return jdk.verify(signature);
	}

	private static WebhookVerifier verifierAt(long epochSeconds, VerificationKey key) {
		return new WebhookVerifier(List.of(key), WebhookVerifier.DEFAULT_TOLERANCE,
				Clock.fixed(Instant.ofEpochSecond(epochSeconds), ZoneOffset.UTC));
	}

}
