package dev.batchline.contracts.webhooks;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The JDK's Ed25519 (RFC 8032) on raw 32-byte keys, the form Standard Webhooks puts after
 * {@code whsk_} and {@code whpk_}. The JDK reads and writes keys only in their ASN.1
 * encodings (RFC 8410); for Ed25519 those are a fixed prefix followed by the raw key.
 */
final class Ed25519 {

	static final String ALGORITHM = "Ed25519";

	/** Raw public key and private key (seed) length. */
	static final int KEY_BYTES = 32;

	/** Signature length. */
	static final int SIGNATURE_BYTES = 64;

	/** PKCS#8 PrivateKeyInfo of an Ed25519 key, up to the 32 bytes of the key. */
	private static final byte[] PKCS8_PREFIX = HexFormat.of().parseHex("302e020100300506032b657004220420");

	/** X.509 SubjectPublicKeyInfo of an Ed25519 key, up to the 32 bytes of the key. */
	private static final byte[] X509_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

	private Ed25519() {
	}

	/** A new key pair: the private key's seed and the public key, 32 bytes each. */
	static byte[][] generate() {
		try {
			KeyPair pair = KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
			byte[] seed = ((EdECPrivateKey) pair.getPrivate()).getBytes().orElseThrow();
			byte[] encoded = pair.getPublic().getEncoded();
			return new byte[][] { seed, Arrays.copyOfRange(encoded, X509_PREFIX.length, encoded.length) };
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("Ed25519 is part of every JRE since Java 15", ex);
		}
	}

	static PrivateKey privateKey(byte[] seed) {
		try {
			return KeyFactory.getInstance(ALGORITHM)
				.generatePrivate(new PKCS8EncodedKeySpec(prefixed(PKCS8_PREFIX, seed)));
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalArgumentException("Not an Ed25519 private key", ex);
		}
	}

	static PublicKey publicKey(byte[] raw) {
		try {
			return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(prefixed(X509_PREFIX, raw)));
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalArgumentException("Not an Ed25519 public key", ex);
		}
	}

	static byte[] sign(PrivateKey key, byte[] content) {
		try {
			Signature signature = Signature.getInstance(ALGORITHM);
			signature.initSign(key);
			signature.update(content);
			return signature.sign();
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("Ed25519 signing failed", ex);
		}
	}

	static boolean verify(PublicKey key, byte[] content, byte[] signatureBytes) {
		try {
			Signature signature = Signature.getInstance(ALGORITHM);
			signature.initVerify(key);
			signature.update(content);
			return signature.verify(signatureBytes);
		}
		catch (GeneralSecurityException ex) {
			// a malformed signature or a key that is not a curve point verifies nothing
			return false;
		}
	}

	/**
	 * The raw key in a key's textual form: the prefix, then the base64 of 32 bytes.
	 * @throws IllegalArgumentException when the text is not of that form
	 */
	static byte[] decode(String text, String prefix) {
		if (text == null || !text.startsWith(prefix)) {
			throw new IllegalArgumentException("An Ed25519 key here is '" + prefix + "' followed by base64");
		}
		byte[] raw;
		try {
			raw = Base64.getDecoder().decode(text.substring(prefix.length()).strip());
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("An Ed25519 key here is '" + prefix + "' followed by base64", ex);
		}
		if (raw.length != KEY_BYTES) {
			throw new IllegalArgumentException("An Ed25519 key is " + KEY_BYTES + " bytes, not " + raw.length);
		}
		return raw;
	}

	private static byte[] prefixed(byte[] prefix, byte[] raw) {
		if (raw.length != KEY_BYTES) {
			throw new IllegalArgumentException("An Ed25519 key is " + KEY_BYTES + " bytes, not " + raw.length);
		}
		byte[] encoded = Arrays.copyOf(prefix, prefix.length + raw.length);
		System.arraycopy(raw, 0, encoded, prefix.length, raw.length);
		return encoded;
	}

}
