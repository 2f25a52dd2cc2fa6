package org.cartrelay.connectors.webhook;

import java.time.Clock;

import org.cartrelay.connectors.Connector;
import org.cartrelay.connectors.ConnectorDefinition;
import org.cartrelay.connectors.ConnectorType;
import org.cartrelay.connectors.DeliveryHttpClient;
import org.springframework.stereotype.Component;

/** {@code type: webhook}: the generic IPN. Keys: {@code endpoint}, {@code format}, {@code secret}, {@code headers}. */
@Component
public class WebhookConnectorType implements ConnectorType {

    private final Clock clock;
    private final DeliveryHttpClient http;

    public WebhookConnectorType(Clock clock, DeliveryHttpClient http) {
        this.clock = clock;
        this.http = http;
    }

    @Override
    public String name() {
        return "webhook";
    }

    @Override
    public Connector create(ConnectorDefinition definition) {
        return new WebhookConnector(definition, clock, http);
    }
}
