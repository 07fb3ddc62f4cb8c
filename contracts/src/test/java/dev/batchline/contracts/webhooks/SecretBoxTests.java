package dev.batchline.contracts.webhooks;

import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class SecretBoxTests {

	private static final byte[] KEY = key(1);

	private static final byte[] OTHER = key(2);

	private final SecretBox box = new SecretBox(KEY, List.of());

	@Test
	void aSealedSecretOpensToItselfAndNamesItsKey() {
		String secret = WebhookSecret.generate().value();
		String sealed = this.box.seal(secret);
		assertThat(sealed).startsWith("enc:" + SecretBox.keyId(KEY) + ":").doesNotContain(secret.substring(6));
		assertThat(this.box.open(sealed)).isEqualTo(secret);
		assertThat(this.box.isCurrent(sealed)).isTrue();
		// a fresh nonce each time: the same secret never seals to the same value
		assertThat(this.box.seal(secret)).isNotEqualTo(sealed);
		assertThat(SecretBox.keyId(KEY)).hasSize(8).isNotEqualTo(SecretBox.keyId(OTHER));
	}

	@Test
	void anAlteredValueOrAnUnknownKeyDoesNotOpen() {
		String sealed = this.box.seal("whsec_abc");
		byte[] bytes = Base64.getDecoder().decode(sealed.substring(sealed.lastIndexOf(':') + 1));
		bytes[bytes.length - 1] ^= 1;
		String altered = sealed.substring(0, sealed.lastIndexOf(':') + 1) + Base64.getEncoder().encodeToString(bytes);
		assertThatIllegalStateException().isThrownBy(() -> this.box.open(altered)).withMessageContaining("altered");
		String foreign = new SecretBox(OTHER, List.of()).seal("whsec_abc");
		assertThatIllegalStateException().isThrownBy(() -> this.box.open(foreign))
			.withMessageContaining(SecretBox.keyId(OTHER));
		// the same bytes under a key of the same id but sealed for another use do not
		// open
		assertThatIllegalStateException().isThrownBy(() -> this.box.open("enc:" + SecretBox.keyId(KEY) + ":AAAA"));
	}

	@Test
	void afterARotationTheOldKeyOpensAndTheNewOneSeals() {
		String old = this.box.seal("whsec_old");
		SecretBox rotated = new SecretBox(OTHER, List.of(KEY));
		assertThat(rotated.open(old)).isEqualTo("whsec_old");
		assertThat(rotated.isCurrent(old)).isFalse();
		assertThat(rotated.isCurrent(rotated.seal("whsec_new"))).isTrue();
		assertThat(rotated.currentKeyId()).isEqualTo(SecretBox.keyId(OTHER));
	}

	@Test
	void aValueStoredInClearIsReadAsItIsAndNullStaysNull() {
		assertThat(this.box.open("whsec_legacy")).isEqualTo("whsec_legacy");
		assertThat(this.box.isCurrent("whsec_legacy")).isFalse();
		assertThat(this.box.seal(null)).isNull();
		assertThat(this.box.open((String) null)).isNull();
		SigningSecrets opened = this.box.open(new SigningSecrets(this.box.seal("whsec_a"), null, null));
		assertThat(opened.secret()).isEqualTo("whsec_a");
	}

	@Test
	void aKeyIs32Bytes() {
		assertThatIllegalArgumentException().isThrownBy(() -> new SecretBox(new byte[16], List.of()))
			.withMessageContaining("32 bytes");
	}

	private static byte[] key(int seed) {
		byte[] key = new byte[SecretBox.KEY_LENGTH];
		for (int i = 0; i < key.length; i++) {
			key[i] = (byte) (seed * 31 + i);
		}
		return key;
	}

}
