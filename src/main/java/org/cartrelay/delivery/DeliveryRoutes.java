package org.cartrelay.delivery;

import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.RouteDefinition;
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
        // the worker records and logs each failed attempt, the buyer masked; Camel's own error handler would log
        // the exception in the clear (a database quotes the value it refused, an SMTP server the address). Without
        // it the exception stays on the exchange for the worker, as before (no redelivery either way).
        for (RouteDefinition route : getRouteCollection().getRoutes()) {
            route.errorHandler(noErrorHandler());
        }
    }
}
