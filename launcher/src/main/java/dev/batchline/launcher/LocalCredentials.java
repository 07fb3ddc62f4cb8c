package dev.batchline.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

import dev.batchline.contracts.EventCodec;

/**
 * The credentials of a local pipeline, made at its first start and kept in the work
 * folder, so that a restart keeps them: the admin token, the key that seals webhook
 * secrets, and the API key of a tenant for local use.
 */
final class LocalCredentials {

	private LocalCredentials() {
	}

	/**
	 * The configured admin token ({@code BATCHLINE_API_ADMIN_TOKEN}), or the kept one.
	 */
	static String adminToken(Path work) {
		String configured = System.getenv("BATCHLINE_API_ADMIN_TOKEN");
		if (configured != null && !configured.isBlank()) {
			return configured;
		}
		Path file = work.resolve("admin-token");
		try {
			if (Files.exists(file)) {
				return Files.readString(file).strip();
			}
			byte[] random = new byte[24];
			new SecureRandom().nextBytes(random);
			String token = "adm_" + HexFormat.of().formatHex(random);
			Files.writeString(file, token);
			return token;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * The file of the key that seals webhook secrets in PostgreSQL (owner-only), made at
	 * the first start; null when {@code BATCHLINE_SECRETS_KEY} or
	 * {@code BATCHLINE_SECRETS_KEY_FILE} is configured, which the services then read.
	 */
	static Path secretsKeyFile(Path work) {
		if (System.getenv("BATCHLINE_SECRETS_KEY") != null || System.getenv("BATCHLINE_SECRETS_KEY_FILE") != null) {
			return null;
		}
		Path file = work.resolve("secrets-key");
		try {
			if (!Files.exists(file)) {
				byte[] key = new byte[32];
				new SecureRandom().nextBytes(key);
				Files.createFile(file,
						PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
				Files.writeString(file, Base64.getEncoder().encodeToString(key));
			}
			return file;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * The kept tenant key, or a new local tenant's, made through the running
	 * api-service's admin API.
	 * @param tenantsUrl the api-service's {@code /v1/admin/tenants}
	 */
	static String tenantKey(Path work, String tenantsUrl, String adminToken) {
		Path file = work.resolve("tenant-api-key");
		try {
			if (Files.exists(file)) {
				return Files.readString(file).strip();
			}
			HttpResponse<byte[]> response = HttpClient.newHttpClient()
				.send(HttpRequest.newBuilder(URI.create(tenantsUrl))
					.header("Authorization", "Bearer " + adminToken)
					.header("Content-Type", "application/json")
					.POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"local\"}"))
					.build(), HttpResponse.BodyHandlers.ofByteArray());
			if (response.statusCode() != 201) {
				throw new IllegalStateException("Could not create the local tenant: HTTP " + response.statusCode());
			}
			String key = EventCodec.tree(response.body()).get("api_key").asString();
			Files.writeString(file, key);
			return key;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
