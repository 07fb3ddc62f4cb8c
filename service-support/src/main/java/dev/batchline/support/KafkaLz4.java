package dev.batchline.support;

import net.jpountz.lz4.LZ4Factory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which lz4 code Kafka's {@code lz4} compression runs in this JVM. Kafka's codec takes
 * lz4-java's {@link LZ4Factory#fastestInstance() fastest instance} once, when its classes
 * initialise. That is the C library through JNI only if lz4-java's native library is
 * already loaded or lz4-java came from the system class loader. In a Spring Boot jar it
 * comes from Boot's nested-jar class loader, so without {@link #loadNative()} Kafka
 * compresses and decompresses in pure Java, 3 times slower to compress and 5 times slower
 * to decompress a chunk here (docs/benchmarks.md).
 */
public final class KafkaLz4 {

	private static final Logger log = LoggerFactory.getLogger(KafkaLz4.class);

	private KafkaLz4() {
	}

	/**
	 * Loads lz4-java's native library, so that Kafka's codec, initialised later, takes
	 * the JNI implementation. Where it cannot be loaded (no build of it for this
	 * platform, no writable temporary folder), Kafka keeps the pure-Java one and the
	 * reason is logged.
	 * @return the implementation Kafka's codec takes from now on, as
	 * {@link #implementation()}
	 */
	public static String loadNative() {
		try {
			LZ4Factory.nativeInstance();
		}
		catch (LinkageError | RuntimeException ex) {
			log.warn("lz4-java's native library cannot be loaded, Kafka's lz4 compression runs in pure Java: {}",
					ex.toString());
		}
		return implementation();
	}

	/**
	 * The implementation lz4-java's fastest instance has now: {@code JNI},
	 * {@code JavaUnsafe} or {@code JavaSafe}.
	 */
	public static String implementation() {
		String factory = LZ4Factory.fastestInstance().toString();
		return factory.substring(factory.indexOf(':') + 1);
	}

}
