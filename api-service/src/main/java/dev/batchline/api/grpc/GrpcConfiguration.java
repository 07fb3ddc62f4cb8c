package dev.batchline.api.grpc;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.grpc.server.autoconfigure.GrpcServerExecutorProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * gRPC calls run on virtual threads, as the HTTP requests do: a call that waits (for a
 * worker's prediction, for PostgreSQL) holds no platform thread, so many calls waiting at
 * once cost little.
 */
@Configuration(proxyBeanMethods = false)
class GrpcConfiguration {

	@Bean
	VirtualThreads grpcServerExecutorProvider() {
		return new VirtualThreads();
	}

	/**
	 * A virtual thread per call. Not an {@code Executor} bean itself, which would take
	 * the place of Spring Boot's application task executor.
	 */
	static final class VirtualThreads implements GrpcServerExecutorProvider, DisposableBean {

		private final ExecutorService executor = Executors
			.newThreadPerTaskExecutor(Thread.ofVirtual().name("grpc-call-", 0).factory());

		@Override
		public Executor getExecutor() {
			return this.executor;
		}

		@Override
		public void destroy() {
			this.executor.shutdown();
		}

	}

}
