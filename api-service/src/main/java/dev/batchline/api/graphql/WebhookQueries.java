package dev.batchline.api.graphql;

import java.util.List;
import java.util.UUID;

import dev.batchline.api.http.ApiKeyAuthentication;
import dev.batchline.api.tenant.Caller;
import dev.batchline.api.tenant.Scope;
import dev.batchline.api.quota.Quotas;
import dev.batchline.api.system.PageCursor;
import dev.batchline.api.webhook.WebhookDeliveries;
import dev.batchline.api.webhook.WebhookDelivery;
import dev.batchline.api.webhook.WebhookEndpoint;
import dev.batchline.api.webhook.WebhookEndpointManagement;
import graphql.relay.Connection;

import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.ContextValue;
import org.springframework.graphql.data.method.annotation.MutationMapping;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.graphql.data.method.annotation.SchemaMapping;
import org.springframework.stereotype.Controller;

/**
 * A tenant's webhook endpoints, its delivery log and replays over GraphQL, through
 * {@link WebhookEndpointManagement} and {@link WebhookDeliveries} as REST. The schema has
 * no field for an endpoint's secrets: they are shown only by REST's secret endpoints.
 */
@Controller
class WebhookQueries {

	private final WebhookEndpointManagement endpoints;

	private final WebhookDeliveries deliveries;

	private final Quotas quotas;

	WebhookQueries(WebhookEndpointManagement endpoints, WebhookDeliveries deliveries, Quotas quotas) {
		this.endpoints = endpoints;
		this.deliveries = deliveries;
		this.quotas = quotas;
	}

	@QueryMapping
	List<WebhookEndpoint> webhookEndpoints(@ContextValue(ApiKeyAuthentication.TENANT) UUID tenantId,
			@ContextValue(ApiKeyAuthentication.CALLER) Caller caller) {
		caller.require(Scope.WEBHOOKS_READ);
		return this.endpoints.list(tenantId);
	}

	@SchemaMapping(typeName = "WebhookEndpoint")
	String publicKey(WebhookEndpoint endpoint) {
		return endpoint.publicKeys().publicKey();
	}

	@QueryMapping
	Connection<WebhookDelivery> webhookDeliveries(@ContextValue(ApiKeyAuthentication.TENANT) UUID tenantId,
			@ContextValue(ApiKeyAuthentication.CALLER) Caller caller, @Argument Integer first, @Argument String after,
			@Argument String jobId, @Argument String endpointId, @Argument WebhookDelivery.Status status) {
		caller.require(Scope.WEBHOOKS_READ);
		WebhookDeliveries.Filter filter = new WebhookDeliveries.Filter(Pages.id("jobId", jobId),
				Pages.id("endpointId", endpointId), status);
		WebhookDeliveries.Page page = this.deliveries.page(tenantId, filter, after, Pages.first(first));
		return Pages.connection(page.deliveries(),
				(delivery) -> new PageCursor(delivery.createdAt(), delivery.id()).encode(), after,
				page.nextCursor() != null);
	}

	/** Taken from the tenant's replays per hour, as {@code POST …/replay} is. */
	@MutationMapping
	WebhookDeliveries.ReplayAccepted replayDelivery(@ContextValue(ApiKeyAuthentication.TENANT) UUID tenantId,
			@ContextValue(ApiKeyAuthentication.CALLER) Caller caller, @Argument String id) {
		caller.require(Scope.WEBHOOKS_WRITE);
		UUID delivery = Pages.id("id", id);
		this.quotas.replay(tenantId);
		return this.deliveries.replay(tenantId, delivery);
	}

}
