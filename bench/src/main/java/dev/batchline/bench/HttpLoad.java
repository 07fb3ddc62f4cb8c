package dev.batchline.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keep-alive GET load on one URL from a fixed number of connections, each sending its
 * next request when the previous answer has arrived: requests per second and the 99th
 * percentile of the latency. {@code wrk} (Debian's package) when it is on the
 * {@code PATH}, else a small blocking HTTP/1.1 client of its own (one socket and one
 * platform thread per connection). Both cost the two shared cores far less than
 * {@code java.net.http}, which spent as much CPU as the api-service it loaded.
 */
abstract sealed class HttpLoad permits HttpLoad.Wrk, HttpLoad.Sockets {

	/** Requests per second and 99th percentile latency of one run. */
	record Result(double perSecond, double p99Millis) {
	}

	/** {@code wrk} when installed, the built-in client otherwise. */
	static HttpLoad detect() {
		String version = Wrk.version();
		return (version != null) ? new Wrk(version) : new Sockets();
	}

	/** Which client this is, for the report. */
	abstract String name();

	/**
	 * Loads {@code url} for {@code length} from {@code connections} keep-alive
	 * connections; fails if any answer is not 200.
	 */
	abstract Result run(URI url, Map<String, String> headers, Duration length, int connections)
			throws IOException, InterruptedException;

	/** wrk 4 ({@code apt-get install wrk}), with its latency distribution. */
	static final class Wrk extends HttpLoad {

		private static final Pattern RATE = Pattern.compile("Requests/sec:\\s+([0-9.]+)");

		private static final Pattern P99 = Pattern.compile("\\s99%\\s+([0-9.]+)(us|ms|s|m)\\b");

		private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses:\\s+(\\d+)");

		private static final Pattern SOCKET_ERRORS = Pattern.compile("Socket errors:.*");

		private final String version;

		Wrk(String version) {
			this.version = version;
		}

		static String version() {
			try {
				Process process = new ProcessBuilder("wrk", "--version").redirectErrorStream(true).start();
				String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
				process.waitFor(10, TimeUnit.SECONDS);
				Matcher matcher = Pattern.compile("wrk (\\S+)").matcher(out);
				return matcher.find() ? "wrk " + matcher.group(1) : null;
			}
			catch (IOException ex) {
				return null;
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return null;
			}
		}

		@Override
		String name() {
			return this.version;
		}

		@Override
		Result run(URI url, Map<String, String> headers, Duration length, int connections)
				throws IOException, InterruptedException {
			int threads = Math.max(1, Math.min(connections, Runtime.getRuntime().availableProcessors()));
			List<String> command = new ArrayList<>(List.of("wrk", "-t" + threads, "-c" + connections,
					"-d" + Math.max(1, length.toSeconds()) + "s", "--latency"));
			headers.forEach((name, value) -> command.addAll(List.of("-H", name + ": " + value)));
			command.add(url.toString());
			Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
			String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (process.waitFor() != 0) {
				throw new IllegalStateException("wrk failed: " + out);
			}
			Matcher non2xx = NON_2XX.matcher(out);
			Matcher errors = SOCKET_ERRORS.matcher(out);
			if (non2xx.find() || errors.find()) {
				throw new IllegalStateException(url + " failed under load: " + out);
			}
			Matcher rate = RATE.matcher(out);
			Matcher p99 = P99.matcher(out);
			if (!rate.find() || !p99.find()) {
				throw new IllegalStateException("Unexpected wrk output: " + out);
			}
			double value = Double.parseDouble(p99.group(1));
			double millis = switch (p99.group(2)) {
				case "us" -> value / 1000;
				case "s" -> value * 1000;
				case "m" -> value * 60_000;
				default -> value;
			};
			return new Result(Double.parseDouble(rate.group(1)), millis);
		}

	}

	/**
	 * The fallback: one blocking socket per connection, requests written as bytes
	 * prepared once, answers read up to their {@code Content-Length} (or last chunk).
	 */
	static final class Sockets extends HttpLoad {

		@Override
		String name() {
			return "built-in Java client (blocking sockets)";
		}

		@Override
		Result run(URI url, Map<String, String> headers, Duration length, int connections) throws InterruptedException {
			StringBuilder request = new StringBuilder("GET ").append(url.getRawPath())
				.append(" HTTP/1.1\r\nHost: ")
				.append(url.getHost())
				.append(':')
				.append(url.getPort())
				.append("\r\n");
			headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
			byte[] bytes = request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
			long end = System.nanoTime() + length.toNanos();
			long[][] latencies = new long[connections][];
			int[] counts = new int[connections];
			AtomicReference<Exception> failure = new AtomicReference<>();
			List<Thread> threads = new ArrayList<>();
			long start = System.nanoTime();
			for (int c = 0; c < connections; c++) {
				int connection = c;
				latencies[c] = new long[1 << 20];
				threads.add(Thread.ofPlatform().name("load-" + c).start(() -> {
					try {
						counts[connection] = connection(url, bytes, end, latencies[connection]);
					}
					catch (IOException | RuntimeException ex) {
						failure.compareAndSet(null, ex);
					}
				}));
			}
			for (Thread thread : threads) {
				thread.join();
			}
			double seconds = (System.nanoTime() - start) / 1e9;
			if (failure.get() != null) {
				throw new IllegalStateException(url + " failed under load: " + failure.get(), failure.get());
			}
			int total = 0;
			for (int count : counts) {
				total += count;
			}
			long[] all = new long[total];
			int at = 0;
			for (int c = 0; c < connections; c++) {
				System.arraycopy(latencies[c], 0, all, at, counts[c]);
				at += counts[c];
			}
			return new Result(total / seconds, Stats.percentile(all, 99) / 1e6);
		}

		/** One connection's requests until {@code end}; returns how many. */
		private static int connection(URI url, byte[] request, long end, long[] latencies) throws IOException {
			int n = 0;
			Socket socket = null;
			InputStream in = null;
			OutputStream out = null;
			try {
				while (System.nanoTime() < end && n < latencies.length) {
					long t0 = System.nanoTime();
					if (socket == null) {
						// (re)connecting counts in this request's time, as in wrk
						socket = new Socket();
						socket.setTcpNoDelay(true);
						socket.connect(new InetSocketAddress(url.getHost(), url.getPort()), 5000);
						socket.setSoTimeout(30_000);
						in = new BufferedInputStream(socket.getInputStream());
						out = new BufferedOutputStream(socket.getOutputStream());
					}
					out.write(request);
					out.flush();
					if (!readResponse(in)) {
						socket.close();
						socket = null;
					}
					latencies[n++] = System.nanoTime() - t0;
				}
			}
			finally {
				if (socket != null) {
					socket.close();
				}
			}
			return n;
		}

		/** Reads one 200 answer; returns whether the connection stays open. */
		private static boolean readResponse(InputStream in) throws IOException {
			Answer answer = readAnswer(in);
			if (answer.status() != 200) {
				throw new IOException("answered " + answer.status());
			}
			return answer.keepAlive();
		}

		/** One answer: its status, and whether the connection stays open after it. */
		record Answer(int status, boolean keepAlive) {
		}

		/** Reads one answer of any status, its body skipped. */
		static Answer readAnswer(InputStream in) throws IOException {
			return readAnswer(in, null);
		}

		/**
		 * Reads one answer of any status, its body written to {@code body}, or skipped
		 * when that is {@code null}.
		 */
		static Answer readAnswer(InputStream in, OutputStream body) throws IOException {
			String status = line(in);
			if (!status.startsWith("HTTP/1.1 ") || status.length() < 12) {
				throw new IOException("not an HTTP/1.1 answer: " + status);
			}
			int code = Integer.parseInt(status.substring(9, 12));
			long length = -1;
			boolean chunked = false;
			boolean close = false;
			for (String header = line(in); !header.isEmpty(); header = line(in)) {
				String lower = header.toLowerCase(Locale.ROOT);
				if (lower.startsWith("content-length:")) {
					length = Long.parseLong(lower.substring(15).strip());
				}
				else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
					chunked = true;
				}
				else if (lower.startsWith("connection:") && lower.contains("close")) {
					close = true;
				}
			}
			if (chunked) {
				for (long size = chunkSize(in); size > 0; size = chunkSize(in)) {
					skip(in, size, body);
					line(in);
				}
				for (String trailer = line(in); !trailer.isEmpty(); trailer = line(in)) {
					// trailers are not used
				}
			}
			else if (length >= 0) {
				skip(in, length, body);
			}
			else {
				throw new IOException("an answer without Content-Length or chunks");
			}
			return new Answer(code, !close);
		}

		private static long chunkSize(InputStream in) throws IOException {
			String line = line(in);
			int extension = line.indexOf(';');
			return Long.parseLong((extension >= 0) ? line.substring(0, extension) : line, 16);
		}

		/**
		 * Reads {@code bytes} of a body into {@code body}, or past them if it is null.
		 */
		private static void skip(InputStream in, long bytes, OutputStream body) throws IOException {
			if (body != null) {
				byte[] read = in.readNBytes(Math.toIntExact(bytes));
				if (read.length < bytes) {
					throw new IOException("connection closed in a body");
				}
				body.write(read);
				return;
			}
			long left = bytes;
			while (left > 0) {
				long skipped = in.skip(left);
				if (skipped <= 0) {
					if (in.read() < 0) {
						throw new IOException("connection closed in a body");
					}
					skipped = 1;
				}
				left -= skipped;
			}
		}

		private static String line(InputStream in) throws IOException {
			ByteArrayOutputStream line = new ByteArrayOutputStream(64);
			for (int b = in.read(); b != '\n'; b = in.read()) {
				if (b < 0) {
					throw new IOException("connection closed in a header");
				}
				if (b != '\r') {
					line.write(b);
				}
			}
			return line.toString(StandardCharsets.US_ASCII);
		}

	}

}
