package org.cartrelay.delivery;

import org.apache.camel.builder.RouteBuilder;
import org.cartrelay.connectors.Connector;
import org.cartrelay.connectors.ConnectorRegistry;
import org.springframework.stereotype.Component;

/** One {@code deliver-<type>-<name>} route per connector; the {@link DeliveryEngine}'s lanes send through them. */
@Component
public class DeliveryRoutes extends RouteBuilder {

    private final ConnectorRegistry connectors;

    public DeliveryRoutes(ConnectorRegistry connectors) {
        this.connectors = connectors;
    }

    @Override
    public void configure() {
        for (Connector connector : connectors.all()) {
            connector.addRoutes(this);
        }
    }
}
