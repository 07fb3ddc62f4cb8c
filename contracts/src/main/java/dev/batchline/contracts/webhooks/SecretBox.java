package dev.batchline.contracts.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals the webhook signing secrets for storage: AES-256-GCM under a key the services
 * hold outside the database. A sealed value reads {@code enc:<key id>:<base64 of nonce
 * and ciphertext>}; the key id is the first 8 hex digits of the key's SHA-256, so no id
 * has to be configured and a value names the key that opens it. The current key seals; it
 * and the previous keys open, so rows sealed before a key rotation keep working until
 * they are sealed again ({@link #isCurrent}).
 */
public final class SecretBox {

	/** The prefix of every sealed value. */
	public static final String PREFIX = "enc:";

	/** The length of an AES-256 key, in bytes. */
	public static final int KEY_LENGTH = 32;

	private static final int NONCE_LENGTH = 12;

	private static final int TAG_BITS = 128;

	/**
	 * Binds a sealed value to its use: a ciphertext made elsewhere does not open here.
	 */
	private static final byte[] ASSOCIATED_DATA = "batchline webhook secret".getBytes(StandardCharsets.US_ASCII);

	private final SecureRandom random = new SecureRandom();

	private final String currentId;

	private final Map<String, SecretKeySpec> keys = new LinkedHashMap<>();

	/**
	 * @param current the key that seals (32 bytes)
	 * @param previous keys that only open, until every row is sealed with the current one
	 * @throws IllegalArgumentException when a key is not 32 bytes long
	 */
	public SecretBox(byte[] current, List<byte[]> previous) {
		this.currentId = add(current);
		previous.forEach(this::add);
	}

	/** The id of the key that seals. */
	public String currentKeyId() {
		return this.currentId;
	}

	/** The id of a key: the first 8 hex digits of its SHA-256. */
	public static String keyId(byte[] key) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key), 0, 4);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("SHA-256 is missing from this JVM", ex);
		}
	}

	/**
	 * Seals a secret with the current key.
	 * @param secret the secret, or null
	 * @return the sealed value, or null for null
	 */
	public String seal(String secret) {
		if (secret == null) {
			return null;
		}
		byte[] nonce = new byte[NONCE_LENGTH];
		this.random.nextBytes(nonce);
		byte[] sealed = crypt(Cipher.ENCRYPT_MODE, this.keys.get(this.currentId), nonce,
				secret.getBytes(StandardCharsets.UTF_8));
		byte[] stored = new byte[NONCE_LENGTH + sealed.length];
		System.arraycopy(nonce, 0, stored, 0, NONCE_LENGTH);
		System.arraycopy(sealed, 0, stored, NONCE_LENGTH, sealed.length);
		return PREFIX + this.currentId + ":" + Base64.getEncoder().encodeToString(stored);
	}

	/**
	 * Opens a stored value. A value without the {@link #PREFIX} is a secret stored before
	 * secrets were sealed, and is returned as it is (the api-service seals such rows as
	 * it starts).
	 * @param stored the stored value, or null
	 * @return the secret, or null for null
	 * @throws IllegalStateException when the value's key is not held here or the value
	 * was altered
	 */
	public String open(String stored) {
		if (stored == null || !stored.startsWith(PREFIX)) {
			return stored;
		}
		int colon = stored.indexOf(':', PREFIX.length());
		if (colon < 0) {
			throw new IllegalStateException("A sealed secret without a key id");
		}
		String id = stored.substring(PREFIX.length(), colon);
		SecretKeySpec key = this.keys.get(id);
		if (key == null) {
			throw new IllegalStateException("A secret is sealed with key " + id
					+ ", which is neither the current key nor one of the previous keys");
		}
		byte[] bytes = Base64.getDecoder().decode(stored.substring(colon + 1));
		if (bytes.length <= NONCE_LENGTH) {
			throw new IllegalStateException("A sealed secret too short to hold a nonce and a tag");
		}
		byte[] nonce = new byte[NONCE_LENGTH];
		System.arraycopy(bytes, 0, nonce, 0, NONCE_LENGTH);
		byte[] sealed = new byte[bytes.length - NONCE_LENGTH];
		System.arraycopy(bytes, NONCE_LENGTH, sealed, 0, sealed.length);
		return new String(crypt(Cipher.DECRYPT_MODE, key, nonce, sealed), StandardCharsets.UTF_8);
	}

	/** Whether a stored value is sealed with the current key (null counts as such). */
	public boolean isCurrent(String stored) {
		return stored == null || stored.startsWith(PREFIX + this.currentId + ":");
	}

	/** The sealed secrets, opened. */
	public SigningSecrets open(SigningSecrets sealed) {
		return new SigningSecrets(open(sealed.secret()), open(sealed.previousSecret()),
				sealed.previousSecretExpiresAt());
	}

	private String add(byte[] key) {
		if (key.length != KEY_LENGTH) {
			throw new IllegalArgumentException(
					"A secrets key is " + KEY_LENGTH + " bytes (base64 of 32 random bytes), not " + key.length);
		}
		String id = keyId(key);
		this.keys.putIfAbsent(id, new SecretKeySpec(key, "AES"));
		return id;
	}

	private static byte[] crypt(int mode, SecretKeySpec key, byte[] nonce, byte[] input) {
		try {
			Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
			cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
			cipher.updateAAD(ASSOCIATED_DATA);
			return cipher.doFinal(input);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException((mode == Cipher.DECRYPT_MODE)
					? "A sealed secret does not open with its key: it was altered" : "AES-GCM could not seal a secret",
					ex);
		}
	}

}
