package dev.batchline.api.job;

import java.time.Duration;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Job event streams of every door ({@link JobEventFeed}: {@code GET
 * /v1/jobs/{id}/events}, gRPC {@code WatchJob}, GraphQL {@code jobEvents};
 * {@code batchline.api.events.*}, e.g. {@code BATCHLINE_API_EVENTS_MAX_STREAMS}).
 *
 * @param maxStreams the most streams open at once on this replica (503 past it)
 * @param maxStreamsPerTenant the most streams one tenant may have open at once on this
 * replica (429 past it)
 * @param pollInterval how often the one poller reads the watched jobs
 * @param progressInterval the shortest time between two {@code progress} events of a
 * stream
 * @param heartbeatInterval how long a stream may go without a byte before it gets a
 * heartbeat (SSE: a {@code : keep-alive} comment)
 * @param retry the reconnection time an SSE stream tells the client ({@code retry:})
 */
@Validated
@ConfigurationProperties("batchline.api.events")
public record JobEventsProperties(@DefaultValue("1000") @Min(1) int maxStreams,
		@DefaultValue("100") @Min(1) int maxStreamsPerTenant, @DefaultValue("250ms") @NotNull Duration pollInterval,
		@DefaultValue("500ms") @NotNull Duration progressInterval,
		@DefaultValue("15s") @NotNull Duration heartbeatInterval, @DefaultValue("3s") @NotNull Duration retry) {

}
