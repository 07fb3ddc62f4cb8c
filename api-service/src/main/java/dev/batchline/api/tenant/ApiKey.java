package dev.batchline.api.tenant;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

@Entity
@Table(name = "api_keys")
class ApiKey {

	@Id
	private UUID id;

	private UUID tenantId;

	private byte[] keyHash;

	private String keyPrefix;

	private Instant createdAt;

	private Instant revokedAt;

	protected ApiKey() {
	}

	ApiKey(UUID id, UUID tenantId, byte[] keyHash, String keyPrefix, Instant createdAt) {
		this.id = id;
		this.tenantId = tenantId;
		this.keyHash = keyHash;
		this.keyPrefix = keyPrefix;
		this.createdAt = createdAt;
	}

	UUID getTenantId() {
		return this.tenantId;
	}

	boolean isRevoked() {
		return this.revokedAt != null;
	}

}
