package dev.batchline.api.inference;

import java.time.Duration;
import java.util.List;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of synchronous inference ({@code batchline.api.inference.*}).
 *
 * @param defaultTimeout how long a prediction waits for a worker when the request names
 * no timeout
 * @param maxTimeout the longest timeout a request may ask for
 * @param maxRows the most rows in one request (413 beyond)
 * @param maxBodyBytes the largest request body of a prediction (413 beyond)
 * @param connectTimeout how long the api-service waits to connect to a worker before it
 * asks another
 * @param workerCalls the most calls a replica has out to one worker at once; the requests
 * that come meanwhile wait for the next call
 * @param workerCallRows the rows after which a call to a worker takes no more requests
 * (the request that crosses it still goes)
 * @param cache the result cache
 */
@Validated
@ConfigurationProperties("batchline.api.inference")
public record InferenceProperties(@DefaultValue("10s") @NotNull Duration defaultTimeout,
		@DefaultValue("60s") @NotNull Duration maxTimeout, @DefaultValue("1024") @Min(1) @Max(65536) int maxRows,
		@DefaultValue("4194304") @Min(1024) long maxBodyBytes, @DefaultValue("1s") @NotNull Duration connectTimeout,
		@DefaultValue("2") @Min(1) @Max(64) int workerCalls,
		@DefaultValue("256") @Min(1) @Max(65536) int workerCallRows, @DefaultValue @NotNull Cache cache) {

	/**
	 * The result cache: answers of a model version by the hash of each row's canonical
	 * input, in each api-service replica's memory.
	 *
	 * @param models models whose predictions are cached unless a request says
	 * {@code cache=false}; others only for requests that say {@code cache=true}
	 * @param maxBytes the most bytes of cached outputs a replica keeps (least recently
	 * used go first)
	 * @param expireAfter how long an answer stays cached after it was written
	 */
	public record Cache(@DefaultValue List<String> models, @DefaultValue("67108864") @Min(0) long maxBytes,
			@DefaultValue("1h") @NotNull Duration expireAfter) {
	}

}
