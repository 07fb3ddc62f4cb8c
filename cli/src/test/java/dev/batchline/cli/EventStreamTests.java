package dev.batchline.cli;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

class EventStreamTests {

	@Test
	void readsEventsAsTheJobEventEndpointWritesThem() throws IOException {
		String stream = """
				retry:3000

				id:1-0
				event:state
				data:{"from":null,"to":"QUEUED"}

				: keep-alive

				id: 2-4500
				event: progress
				data: {"counts":
				data: {"total":10}}

				""";
		try (EventStream events = new EventStream(stream(stream), Duration.ofSeconds(30))) {
			assertThat(events.next())
				.isEqualTo(new EventStream.Event("1-0", "state", "{\"from\":null,\"to\":\"QUEUED\"}"));
			assertThat(events.retry()).isEqualTo(Duration.ofSeconds(3));
			assertThat(events.next())
				.isEqualTo(new EventStream.Event("2-4500", "progress", "{\"counts\":\n{\"total\":10}}"));
			assertThat(events.next()).isNull();
		}
	}

	@Test
	void windowsLineEndsAndAnEventWithoutDataAreHandled() throws IOException {
		try (EventStream events = new EventStream(stream("id:7\r\nevent:nothing\r\n\r\ndata:x\r\n\r\n"),
				Duration.ofSeconds(30))) {
			assertThat(events.next()).isEqualTo(new EventStream.Event(null, null, "x"));
		}
	}

	@Test
	void aSilentStreamIsCutAfterTheIdleTimeout() throws IOException {
		try (EventStream events = new EventStream(new StalledConnection("id:1-0\nevent:state\ndata:{}\n\n"),
				Duration.ofMillis(200))) {
			assertThat(events.next()).isNotNull();
			assertThatIOException().isThrownBy(events::next).withMessageContaining("no event or keep-alive");
		}
	}

	private static InputStream stream(String text) {
		return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
	}

	/**
	 * A connection that sends its bytes, then nothing (no end, no reset) until it is
	 * closed, as an HTTP body stream does when the peer vanished.
	 */
	private static final class StalledConnection extends InputStream {

		private final InputStream sent;

		private final CountDownLatch closed = new CountDownLatch(1);

		StalledConnection(String sent) {
			this.sent = stream(sent);
		}

		@Override
		public int read() throws IOException {
			byte[] one = new byte[1];
			return (read(one, 0, 1) < 0) ? -1 : one[0];
		}

		@Override
		public int read(byte[] buffer, int offset, int length) throws IOException {
			if (this.sent.available() > 0) {
				return this.sent.read(buffer, offset, length);
			}
			try {
				this.closed.await();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			throw new IOException("closed");
		}

		@Override
		public void close() {
			this.closed.countDown();
		}

	}

}
