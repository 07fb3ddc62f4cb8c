/**
 * Standard Webhooks signing and verification (HMAC-SHA256, {@code whsec_} secrets),
 * shared by the dispatcher and by receivers written in Java.
 */
package dev.batchline.contracts.webhooks;
