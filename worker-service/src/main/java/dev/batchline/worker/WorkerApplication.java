package dev.batchline.worker;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The Batchline worker: consumes chunks, runs TensorFlow SavedModels through DJL in
 * micro-batches and publishes the results. Stateless: Kafka only.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class WorkerApplication {

	public static void main(String[] args) {
		// TensorFlow Java 0.5's generated protobuf classes predate protobuf 3.22; the
		// check only warns.
		System.setProperty("com.google.protobuf.use_unsafe_pre22_gencode", "true");
		SpringApplication.run(WorkerApplication.class, args);
	}

}
