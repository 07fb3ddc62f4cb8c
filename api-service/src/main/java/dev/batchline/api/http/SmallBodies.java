package dev.batchline.api.http;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Set;

import dev.batchline.api.inference.InferenceProperties;
import dev.batchline.api.intake.BodySpool;
import dev.batchline.api.intake.BodySpools;
import dev.batchline.api.intake.UploadProperties;
import dev.batchline.api.system.ApiException;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Receives the body of every request but a job submission (which spools its own, with
 * larger limits) and a file upload (a multipart body the container spools to disk, within
 * {@code batchline.api.openai.max-file-bytes}) whole before the request goes on, at most
 * {@code batchline.api.upload.max-small-body-bytes}
 * ({@code batchline.api.inference.max-body-bytes} for a prediction; 413) and at the
 * upload pace (408): no controller reads a body from the network, so none can be made to
 * wait on a client.
 */
@Component
@Order(ApiKeyAuthentication.ORDER + 20)
class SmallBodies extends OncePerRequestFilter {

	private static final Set<String> WITHOUT_BODY = Set.of("GET", "HEAD", "OPTIONS", "TRACE");

	private final BodySpools spools;

	private final UploadProperties upload;

	private final InferenceProperties inference;

	SmallBodies(BodySpools spools, UploadProperties upload, InferenceProperties inference) {
		this.spools = spools;
		this.upload = upload;
		this.inference = inference;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		if (WITHOUT_BODY.contains(request.getMethod()) || ApiKeyAuthentication.isJobSubmission(request)
				|| ApiKeyAuthentication.isFileUpload(request)) {
			chain.doFilter(request, response);
			return;
		}
		boolean prediction = ApiKeyAuthentication.isPrediction(request);
		long max = prediction ? this.inference.maxBodyBytes() : this.upload.maxSmallBodyBytes();
		String property = prediction ? "batchline.api.inference.max-body-bytes"
				: "batchline.api.upload.max-small-body-bytes";
		byte[] body;
		try {
			if (request.getContentLengthLong() > max) {
				throw ApiException.bodyTooLarge(max, property);
			}
			try (BodySpool spool = this.spools.read(request.getInputStream(), max, property, false)) {
				body = spool.open().readAllBytes();
			}
		}
		catch (ApiException ex) {
			ProblemHandling.write(request, response, ex);
			return;
		}
		chain.doFilter(new Received(request, body), response);
	}

	/** A request whose body has been received. */
	private static final class Received extends HttpServletRequestWrapper {

		private final byte[] body;

		Received(HttpServletRequest request, byte[] body) {
			super(request);
			this.body = body;
		}

		@Override
		public ServletInputStream getInputStream() {
			ByteArrayInputStream in = new ByteArrayInputStream(this.body);
			return new ServletInputStream() {

				@Override
				public int read() throws IOException {
					return in.read();
				}

				@Override
				public int read(byte[] buffer, int offset, int length) throws IOException {
					return in.read(buffer, offset, length);
				}

				@Override
				public boolean isFinished() {
					return in.available() == 0;
				}

				@Override
				public boolean isReady() {
					return true;
				}

				@Override
				public void setReadListener(ReadListener listener) {
					throw new UnsupportedOperationException("the body has been received");
				}

			};
		}

		@Override
		public int getContentLength() {
			return this.body.length;
		}

		@Override
		public long getContentLengthLong() {
			return this.body.length;
		}

	}

}
