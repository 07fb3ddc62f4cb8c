package dev.batchline.testsupport;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.EdECPoint;
import java.security.spec.EdECPublicKeySpec;
import java.security.spec.NamedParameterSpec;
import java.util.Base64;

/**
 * Standard Webhooks {@code v1a} as the specification defines it, checked with the JDK's
 * Ed25519 alone and none of the project's signing code, for tests that hold what a
 * receiver holds: the tenant's {@code whpk_} public key and a received message. No JVM
 * Standard Webhooks library verifies {@code v1a}. (The contracts module, below this one,
 * keeps its own copy in {@code AsymmetricSignatureTests}.)
 */
public final class StandardWebhooksV1a {

	private StandardWebhooksV1a() {
	}

	/**
	 * Whether one of the {@code v1a} signatures in a {@code webhook-signature} header is
	 * the Ed25519 signature of {@code <webhook-id>.<webhook-timestamp>.<body>} under the
	 * public key.
	 * @param whpk the public key, {@code whpk_} and the base64 of its 32-byte RFC 8032
	 * encoding
	 * @param id the {@code webhook-id} header
	 * @param timestamp the {@code webhook-timestamp} header
	 * @param header the {@code webhook-signature} header
	 * @param body the bytes received
	 * @return whether a signature verifies
	 */
	public static boolean verifies(String whpk, String id, String timestamp, String header, byte[] body) {
		try {
			PublicKey key = publicKey(whpk);
			for (String signature : header.split(" ")) {
				if (!signature.startsWith("v1a,")) {
					continue;
				}
				Signature jdk = Signature.getInstance("Ed25519");
				jdk.initVerify(key);
				jdk.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
				jdk.update(body);
				if (jdk.verify(Base64.getDecoder().decode(signature.substring("v1a,".length())))) {
					return true;
				}
			}
			return false;
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** RFC 8032 §5.1.3: y little-endian, its top bit the parity of x. */
	private static PublicKey publicKey(String whpk) throws GeneralSecurityException {
		if (!whpk.startsWith("whpk_")) {
			throw new IllegalArgumentException("not a whpk_ key: " + whpk);
		}
		byte[] encoded = Base64.getDecoder().decode(whpk.substring("whpk_".length()));
		if (encoded.length != 32) {
			throw new IllegalArgumentException("an Ed25519 public key is 32 bytes, not " + encoded.length);
		}
		boolean xOdd = (encoded[31] & 0x80) != 0;
		byte[] bigEndian = new byte[32];
		for (int i = 0; i < 32; i++) {
			bigEndian[i] = encoded[31 - i];
		}
		bigEndian[0] &= 0x7f;
		return KeyFactory.getInstance("Ed25519")
			.generatePublic(new EdECPublicKeySpec(NamedParameterSpec.ED25519,
					new EdECPoint(xOdd, new BigInteger(1, bigEndian))));
	}

}
