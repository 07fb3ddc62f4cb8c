package dev.batchline.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

import dev.batchline.contracts.webhooks.SecretBox;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The key that seals webhook signing secrets in PostgreSQL ({@link SecretBox}), for the
 * services that hold them: the api-service seals and opens, the webhook dispatcher opens.
 * A service imports this configuration; it does not start without a key.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(SecretsConfiguration.SecretsProperties.class)
public class SecretsConfiguration {

	@Bean
	SecretBox secretBox(SecretsProperties properties) {
		return new SecretBox(properties.currentKey(),
				properties.previousKeys.stream().map(SecretsProperties::decode).toList());
	}

	/**
	 * The secrets keys ({@code batchline.secrets.*}), each the base64 of 32 random bytes
	 * ({@code openssl rand -base64 32}).
	 *
	 * @param key the key that seals ({@code BATCHLINE_SECRETS_KEY})
	 * @param keyFile a file holding the key, instead
	 * ({@code BATCHLINE_SECRETS_KEY_FILE}), e.g. a mounted Kubernetes secret
	 * @param previousKeys keys that only open, after a rotation: the api-service seals
	 * every row again with the current key as it starts, after which they may go
	 * ({@code BATCHLINE_SECRETS_PREVIOUS_KEYS}, comma-separated)
	 */
	@ConfigurationProperties("batchline.secrets")
	public record SecretsProperties(String key, Path keyFile, @DefaultValue List<String> previousKeys) {

		byte[] currentKey() {
			if (this.key != null && !this.key.isBlank()) {
				return decode(this.key);
			}
			if (this.keyFile != null) {
				try {
					return decode(Files.readString(this.keyFile));
				}
				catch (IOException ex) {
					throw new UncheckedIOException("Cannot read BATCHLINE_SECRETS_KEY_FILE " + this.keyFile, ex);
				}
			}
			throw new IllegalStateException("No key to seal webhook secrets with: set BATCHLINE_SECRETS_KEY (or "
					+ "BATCHLINE_SECRETS_KEY_FILE) to the base64 of 32 random bytes, e.g. openssl rand -base64 32");
		}

		static byte[] decode(String key) {
			try {
				return Base64.getDecoder().decode(key.strip());
			}
			catch (IllegalArgumentException ex) {
				throw new IllegalStateException("A secrets key is not base64: " + ex.getMessage());
			}
		}

	}

}
