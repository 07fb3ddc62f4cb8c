package dev.batchline.api.tenant;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

@Entity
@Table(name = "tenants")
class Tenant {

	@Id
	private UUID id;

	private String name;

	private Instant createdAt;

	/**
	 * Signs callbacks to jobs' own callback URLs; rotated (with the previous secret's
	 * columns, which only the webhook package touches) by the webhook package.
	 */
	private String webhookSecret;

	protected Tenant() {
	}

	Tenant(UUID id, String name, String webhookSecret, Instant createdAt) {
		this.id = id;
		this.name = name;
		this.webhookSecret = webhookSecret;
		this.createdAt = createdAt;
	}

	UUID getId() {
		return this.id;
	}

	String getName() {
		return this.name;
	}

	Instant getCreatedAt() {
		return this.createdAt;
	}

}
