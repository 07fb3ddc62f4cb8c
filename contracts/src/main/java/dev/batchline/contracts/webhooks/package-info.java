/**
 * Standard Webhooks signing and verification, {@code v1} (HMAC-SHA256, {@code whsec_}
 * secrets) and {@code v1a} (Ed25519, {@code whsk_} secret and {@code whpk_} public keys),
 * shared by the dispatcher and by receivers written in Java.
 */
package dev.batchline.contracts.webhooks;
