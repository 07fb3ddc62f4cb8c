package dev.batchline.contracts.grpc;

import java.util.concurrent.Executor;

import io.grpc.CallCredentials;
import io.grpc.Metadata;

/**
 * A Batchline API key as gRPC call credentials: the metadata
 * {@code authorization: Bearer <api key>} on every call, as the api-service's gRPC
 * services (and any stock client's {@code authorization} header) expect it.
 * {@code JobsGrpc.newBlockingStub(channel).withCallCredentials(new ApiKeyCredentials(key))}.
 */
public final class ApiKeyCredentials extends CallCredentials {

	/** The metadata key of the credentials. */
	public static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization",
			Metadata.ASCII_STRING_MARSHALLER);

	private final String apiKey;

	public ApiKeyCredentials(String apiKey) {
		this.apiKey = apiKey;
	}

	@Override
	public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
		Metadata metadata = new Metadata();
		metadata.put(AUTHORIZATION, "Bearer " + this.apiKey);
		applier.apply(metadata);
	}

}
