package dev.batchline.support;

import net.jpountz.lz4.LZ4Factory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.context.event.ApplicationEnvironmentPreparedEvent;
import org.springframework.context.ApplicationListener;

/**
 * Loads lz4-java's native library as a service starts, so that Kafka's {@code lz4}
 * compression runs in it. Kafka's codec asks lz4-java for its
 * {@link LZ4Factory#fastestInstance() fastest instance}: the decompressor once, when its
 * class initialises, the compressor per batch. That is the C library through JNI only if
 * the native library is already loaded or lz4-java came from the system class loader. In
 * a Spring Boot jar it comes from Boot's nested-jar class loader, so without this Kafka
 * compresses and decompresses in pure Java, 3 times slower to compress and 5 times slower
 * to decompress a chunk here (docs/benchmarks.md). Registered in
 * {@code META-INF/spring.factories}, it runs once the environment and logging are set up,
 * before any bean exists; where the library cannot be loaded (no build of it for this
 * platform, no temporary folder that allows executables), Kafka keeps the pure-Java code
 * and the reason is logged.
 */
public final class KafkaLz4 implements ApplicationListener<ApplicationEnvironmentPreparedEvent> {

	private static final Logger log = LoggerFactory.getLogger(KafkaLz4.class);

	@Override
	public void onApplicationEvent(ApplicationEnvironmentPreparedEvent event) {
		try {
			LZ4Factory.nativeInstance();
		}
		// what lz4-java's own fastestInstance() falls back on: the library failing to
		// load, to link, or its self-check
		catch (LinkageError | RuntimeException | AssertionError ex) {
			log.warn("lz4-java's native library cannot be loaded, Kafka's lz4 compression runs in pure Java: {}",
					ex.toString());
		}
	}

	/**
	 * The implementation that Kafka's codec gets from lz4-java now: {@code JNI}, or
	 * {@code JavaSafe} when the native library is not loaded.
	 */
	static String implementation() {
		String factory = LZ4Factory.fastestInstance().toString();
		return factory.substring(factory.indexOf(':') + 1);
	}

}
