package org.cartrelay.connectors;

import org.apache.camel.builder.RouteBuilder;

/**
 * One configured connector instance. It owns one Camel route, {@code direct:deliver-<name>}, that takes an
 * outbound event (JSON body, headers {@link #EVENT_ID}, {@link #EVENT_TYPE}, {@link #ATTEMPT}) and sends it to the
 * target. An HTTP target leaves the status in {@code CamelHttpResponseCode}; any exception is a failed attempt.
 */
public interface Connector {

    String EVENT_ID = "CartRelayEventId";
    String EVENT_TYPE = "CartRelayEventType";
    String ATTEMPT = "CartRelayAttempt";

    ConnectorDefinition definition();

    /** Adds this connector's delivery route to the builder. */
    void addRoutes(RouteBuilder builder);

    default String name() {
        return definition().name();
    }

    default String deliveryUri() {
        return "direct:deliver-" + definition().name();
    }

    default String routeId() {
        return "deliver-" + definition().type() + "-" + definition().name();
    }
}
