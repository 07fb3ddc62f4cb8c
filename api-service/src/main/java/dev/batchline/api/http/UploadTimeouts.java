package dev.batchline.api.http;

import dev.batchline.api.intake.UploadProperties;
import org.apache.coyote.AbstractProtocol;
import org.apache.coyote.http11.AbstractHttp11Protocol;

import org.springframework.boot.tomcat.ConfigurableTomcatWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.stereotype.Component;

/**
 * Makes Tomcat's read of a request body time out after
 * {@code batchline.api.upload.idle-timeout} without a byte (its upload timeout), so a
 * stalled upload ends in a 408 ({@link dev.batchline.api.intake.BodySpools}).
 */
@Component
class UploadTimeouts implements WebServerFactoryCustomizer<ConfigurableTomcatWebServerFactory> {

	private final UploadProperties upload;

	UploadTimeouts(UploadProperties upload) {
		this.upload = upload;
	}

	@Override
	public void customize(ConfigurableTomcatWebServerFactory factory) {
		factory.addConnectorCustomizers((connector) -> {
			if (connector.getProtocolHandler() instanceof AbstractHttp11Protocol<?> http) {
				http.setDisableUploadTimeout(false);
				http.setConnectionUploadTimeout((int) this.upload.idleTimeout().toMillis());
			}
			else if (connector.getProtocolHandler() instanceof AbstractProtocol<?> protocol) {
				protocol.setConnectionTimeout((int) this.upload.idleTimeout().toMillis());
			}
		});
	}

}
