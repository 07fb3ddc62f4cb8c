package dev.batchline.api.webhook;

import java.util.Map;

import dev.batchline.api.system.ApiException;
import dev.batchline.contracts.ProblemKind;
import dev.batchline.contracts.webhooks.UrlPolicy;

import org.springframework.stereotype.Component;

/**
 * Checks webhook and callback URLs when they are given, so a caller learns at once that a
 * URL can never receive anything rather than from a dead letter later. The dispatcher
 * checks again at every send, since a name can resolve elsewhere by then.
 */
@Component
public class WebhookUrls {

	private final UrlPolicy policy;

	WebhookUrls(UrlPolicy policy) {
		this.policy = policy;
	}

	/**
	 * Checks a URL. This may resolve the host, so call it outside of transactions.
	 * @param field the request field that holds the URL, for the problem detail
	 * @param url the URL
	 * @throws ApiException 422 {@code forbidden-url} when webhooks may not go there
	 */
	public void check(String field, String url) {
		try {
			this.policy.check(url);
		}
		catch (UrlPolicy.ForbiddenUrlException ex) {
			throw new ApiException(ProblemKind.FORBIDDEN_URL, "'" + field + "' is not allowed: " + ex.getMessage(),
					Map.of("field", field));
		}
	}

}
