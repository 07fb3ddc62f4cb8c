package dev.batchline.api.graphql;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.batchline.api.http.ApiKeyAuthentication;
import dev.batchline.api.intake.Items;
import dev.batchline.api.intake.JobRequest;
import dev.batchline.api.job.JobManagement;
import dev.batchline.api.job.JobManagement.ResultsPage;
import dev.batchline.api.job.JobPage;
import dev.batchline.api.job.JobState;
import dev.batchline.api.job.JobView;
import dev.batchline.api.system.ApiException;
import dev.batchline.api.tenant.Caller;
import dev.batchline.api.tenant.Scope;
import dev.batchline.api.system.ApiProperties;
import dev.batchline.api.system.PageCursor;
import dev.batchline.api.webhook.WebhookDeliveries;
import dev.batchline.api.webhook.WebhookDelivery;
import dev.batchline.contracts.EventCodec;
import dev.batchline.contracts.ProblemKind;
import graphql.relay.Connection;
import graphql.schema.DataFetchingEnvironment;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.graphql.data.method.annotation.Argument;
import org.springframework.graphql.data.method.annotation.BatchMapping;
import org.springframework.graphql.data.method.annotation.ContextValue;
import org.springframework.graphql.data.method.annotation.MutationMapping;
import org.springframework.graphql.data.method.annotation.QueryMapping;
import org.springframework.stereotype.Controller;

/**
 * Jobs and their results over GraphQL: translates arguments to {@link JobManagement}
 * calls and its views to the schema's types, exactly as the REST controllers do.
 */
@Controller
class JobQueries {

	/** How many deliveries {@code Job.deliveries} shows per job. */
	static final int DELIVERIES_PER_JOB = 20;

	private final JobManagement jobs;

	private final WebhookDeliveries deliveries;

	private final ApiProperties properties;

	JobQueries(JobManagement jobs, WebhookDeliveries deliveries, ApiProperties properties) {
		this.jobs = jobs;
		this.deliveries = deliveries;
		this.properties = properties;
	}

	/** One item's result, as {@code GET /v1/jobs/{id}/results} shows it. */
	record ResultItem(long index, String customId, JsonNode output, ItemError error) {

		static ResultItem of(JsonNode item) {
			JsonNode error = item.get("error");
			return new ResultItem(item.get("index").asLong(), item.path("custom_id").asString(null), item.get("output"),
					(error != null) ? new ItemError(error.path("code").asString(), error.path("message").asString(null))
							: null);
		}

	}

	record ItemError(String code, String message) {
	}

	/**
	 * Another tenant's job, or one that does not exist, is null, as REST answers it 404:
	 * the caller cannot tell the two apart.
	 */
	@QueryMapping
	JobView job(@ContextValue(ApiKeyAuthentication.TENANT) UUID tenantId, @Argument String id) {
		try {
			return this.jobs.get(tenantId, Pages.id("id", id));
		}
		catch (ApiException ex) {
			if (ex.kind() == ProblemKind.NOT_FOUND) {
				return null;
			}
			throw ex;
		}
	}

	@QueryMapping
	Connection<JobView> jobs(@ContextValue(ApiKeyAuthentication.TENANT) UUID tenantId, @Argument Integer first,
			@Argument String after, @Argument JobState state) {
		JobPage page = this.jobs.list(tenantId, state, after, Pages.first(first));
		return Pages.connection(page.jobs(), (job) -> new PageCursor(job.createdAt(), job.id()).encode(), after,
				page.nextCursor() != null);
	}

	/** The cursor of an item is its index: {@code after} asks for the items after it. */
	@QueryMapping
	Connection<ResultItem> results(@ContextValue(ApiKeyAuthentication.TENANT) UUID tenantId, @Argument String jobId,
			@Argument Integer first, @Argument String after) {
		ResultsPage page = this.jobs.results(tenantId, Pages.id("jobId", jobId), from(after), Pages.first(first));
		return Pages.connection(page.items().stream().map(ResultItem::of).toList(),
				(item) -> String.valueOf(item.index()), after, page.nextIndex() >= 0);
	}

	/**
	 * A job of JSON items, admitted and submitted as {@code POST /v1/jobs} does (without
	 * an {@code Idempotency-Key}); the request's body limit bounds it, so large jobs go
	 * through REST.
	 */
	@MutationMapping
	JobView submitJob(@ContextValue(ApiKeyAuthentication.TENANT) UUID tenantId,
			@ContextValue(ApiKeyAuthentication.CALLER) Caller caller, @Argument String model, @Argument String version,
			DataFetchingEnvironment environment) {
		caller.require(Scope.JOBS_WRITE);
		// the JSON scalar's trees as they are, not bound to a Java type
		List<JsonNode> instances = environment.getArgument("instances");
		JsonNode metadata = environment.getArgument("metadata");
		ObjectNode fields = JsonNodeFactory.instance.objectNode().put("model", model).put("version", version);
		if (metadata != null) {
			if (EventCodec.encode(metadata).length > this.properties.maxMetadataBytes()) {
				throw ApiException.invalid("'metadata' is larger than " + this.properties.maxMetadataBytes()
						+ " bytes (batchline.api.max-metadata-bytes)");
			}
			fields.set("metadata", metadata);
		}
		JobRequest request = JobRequest.of(fields);
		if (instances.size() > this.properties.maxItems()) {
			throw new ApiException(ProblemKind.TOO_MANY_ITEMS, "The job has more than " + this.properties.maxItems()
					+ " items; the most allowed is " + this.properties.maxItems() + " (batchline.api.max-items)");
		}
		this.jobs.admit(tenantId, instances.size());
		return this.jobs.submit(tenantId, request, Items.of(instances));
	}

	@MutationMapping
	JobView cancelJob(@ContextValue(ApiKeyAuthentication.TENANT) UUID tenantId,
			@ContextValue(ApiKeyAuthentication.CALLER) Caller caller, @Argument String id) {
		caller.require(Scope.JOBS_WRITE);
		return this.jobs.cancel(tenantId, Pages.id("id", id));
	}

	/**
	 * The latest deliveries of every job of a page in one call of the core, however many
	 * jobs the page holds.
	 */
	@BatchMapping(typeName = "Job")
	List<List<WebhookDelivery>> deliveries(List<JobView> jobs, @ContextValue(ApiKeyAuthentication.TENANT) UUID tenantId,
			@ContextValue(ApiKeyAuthentication.CALLER) Caller caller) {
		caller.require(Scope.WEBHOOKS_READ);
		Map<UUID, List<WebhookDelivery>> byJob = this.deliveries.latestOfJobs(tenantId,
				jobs.stream().map(JobView::id).distinct().toList(), DELIVERIES_PER_JOB);
		return jobs.stream().map((job) -> byJob.getOrDefault(job.id(), List.of())).toList();
	}

	private static long from(String after) {
		if (after == null) {
			return 0;
		}
		try {
			long index = Long.parseLong(after);
			if (index < 0 || index == Long.MAX_VALUE) {
				throw new NumberFormatException(after);
			}
			return index + 1;
		}
		catch (NumberFormatException ex) {
			throw ApiException.badRequest("'after' must be the cursor of a result: its item index");
		}
	}

}
