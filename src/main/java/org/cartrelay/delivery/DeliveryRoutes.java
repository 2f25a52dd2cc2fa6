package org.cartrelay.delivery;

import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;
import org.cartrelay.config.CartRelayProperties;
import org.cartrelay.connectors.Connector;
import org.cartrelay.connectors.ConnectorRegistry;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;

/** The outbox poller and one {@code deliver-<type>-<name>} route per connector. */
@Component
public class DeliveryRoutes extends RouteBuilder {

    private final ConnectorRegistry connectors;
    private final DeliveryDispatcher dispatcher;
    private final CartRelayProperties properties;

    public DeliveryRoutes(ConnectorRegistry connectors, DeliveryDispatcher dispatcher, CartRelayProperties properties) {
        this.connectors = connectors;
        this.dispatcher = dispatcher;
        this.properties = properties;
    }

    @Override
    public void configure() {
        // a database outage is reported in one line per poll; the next poll simply tries again
        onException(DataAccessException.class)
                .handled(true)
                .log(LoggingLevel.WARN, "The delivery dispatcher cannot reach the store: ${exception.message}");
        for (Connector connector : connectors.all()) {
            connector.addRoutes(this);
        }
        long interval = properties.delivery().pollInterval().toMillis();
        from("scheduler:delivery-dispatcher?delay=" + interval + "&initialDelay=" + interval)
                .routeId("delivery-dispatcher")
                .process(exchange -> exchange.getMessage().setBody(dispatcher.dispatch()));
    }
}
