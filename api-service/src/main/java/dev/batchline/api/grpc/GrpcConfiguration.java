package dev.batchline.api.grpc;

import io.grpc.netty.NettyServerBuilder;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.grpc.server.ServerBuilderCustomizer;

/**
 * The gRPC server's transport: a flow-control window large enough for a streamed job's
 * items to keep arriving while the ones before them are spooled, instead of stopping at
 * every window update.
 */
@Configuration(proxyBeanMethods = false)
class GrpcConfiguration {

	/** Bytes a call may have in flight towards the server (gRPC's default: 1 MiB). */
	static final int FLOW_CONTROL_WINDOW = 8 * 1024 * 1024;

	@Bean
	ServerBuilderCustomizer<NettyServerBuilder> flowControlWindow() {
		return (builder) -> builder.flowControlWindow(FLOW_CONTROL_WINDOW);
	}

}
