package org.cartrelay.lifecycle;

import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;
import org.cartrelay.config.CartRelayProperties;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;

/** Polls the database for checkouts whose delay has passed; the timer itself is the due_at column. */
@Component
public class AbandonmentTimerRoute extends RouteBuilder {

    private final Lifecycle lifecycle;
    private final CartRelayProperties properties;

    public AbandonmentTimerRoute(Lifecycle lifecycle, CartRelayProperties properties) {
        this.lifecycle = lifecycle;
        this.properties = properties;
    }

    @Override
    public void configure() {
        // a database outage is reported in one line per poll; the next poll simply tries again
        onException(DataAccessException.class)
                .handled(true)
                .log(LoggingLevel.WARN, "The abandonment timer cannot reach the store: ${exception.message}");
        from("scheduler:abandonment-timer?delay=" + properties.abandonment().pollInterval().toMillis()
                + "&initialDelay=" + properties.abandonment().pollInterval().toMillis())
                .routeId("lifecycle-abandonment-timer")
                .process(exchange -> exchange.getMessage().setBody(lifecycle.abandonDue()));
    }
}
