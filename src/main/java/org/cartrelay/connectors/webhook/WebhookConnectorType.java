package org.cartrelay.connectors.webhook;

import java.nio.file.Path;
import java.time.Clock;

import org.cartrelay.connectors.Connector;
import org.cartrelay.connectors.ConnectorDefinition;
import org.cartrelay.connectors.ConnectorType;
import org.cartrelay.connectors.DeliveryHttpClient;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * {@code type: webhook}: the generic IPN. Keys: {@code endpoint}, {@code format}, {@code secret}, {@code headers},
 * {@code template} (in {@code <home>/connectors/templates/}).
 */
@Component
public class WebhookConnectorType implements ConnectorType {

    private final Clock clock;
    private final DeliveryHttpClient http;
    private final Path templates;

    public WebhookConnectorType(Clock clock, DeliveryHttpClient http, @Value("${cartrelay.home-dir}") String home) {
        this.clock = clock;
        this.http = http;
        this.templates = Path.of(home, "connectors", "templates");
    }

    @Override
    public String name() {
        return "webhook";
    }

    @Override
    public Connector create(ConnectorDefinition definition) {
        return new WebhookConnector(definition, clock, http, templates);
    }
}
