package org.cartrelay.connectors.route;

import org.apache.camel.builder.RouteBuilder;
import org.cartrelay.connectors.Connector;
import org.cartrelay.connectors.ConnectorDefinition;

/**
 * Hands the outbound event (JSON body, the hub's headers such as {@link #EVENT_ID}) to {@code uri}, usually a
 * {@code direct:} route the integrator defines in {@code routes/*.yaml}. The integrator's route runs inside the
 * attempt: an exception there is a failed attempt, retried and finally dead-lettered like any other, except a
 * {@link org.cartrelay.connectors.PermanentDeliveryException} (dead at once) and a
 * {@link org.cartrelay.connectors.RateLimitedException} (the connector slows down); a {@code CamelHttpResponseCode}
 * it leaves behind is classified like an HTTP connector's answer.
 */
public class RouteConnector implements Connector {

    private final ConnectorDefinition definition;
    private final String uri;

    public RouteConnector(ConnectorDefinition definition, RouteSettings settings) {
        this.definition = definition;
        this.uri = settings.uri();
    }

    @Override
    public ConnectorDefinition definition() {
        return definition;
    }

    @Override
    public void addRoutes(RouteBuilder builder) {
        builder.from(deliveryUri()).routeId(routeId()).to(uri);
    }
}
