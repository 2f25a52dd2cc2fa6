package org.cartrelay.lifecycle;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.cartrelay.config.CartRelayProperties;
import org.cartrelay.support.FailureStreak;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;
import org.springframework.transaction.TransactionException;

/** Polls the database for checkouts whose delay has passed; the timer itself is the due_at column. */
@Component
public class AbandonmentTimerRoute extends RouteBuilder {

    private static final Logger log = LoggerFactory.getLogger(AbandonmentTimerRoute.class);

    private final Lifecycle lifecycle;
    private final CartRelayProperties properties;
    private final FailureStreak storeDown = new FailureStreak(
            log, "The abandonment timer cannot reach the store", "The abandonment timer reaches the store again");

    public AbandonmentTimerRoute(Lifecycle lifecycle, CartRelayProperties properties) {
        this.lifecycle = lifecycle;
        this.properties = properties;
    }

    @Override
    public void configure() {
        // a database outage is reported once, and its end; the next poll simply tries again
        onException(DataAccessException.class, TransactionException.class)
                .handled(true)
                .process(
                        exchange -> storeDown.failed(exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class)));
        from("scheduler:abandonment-timer?delay="
                        + properties.abandonment().pollInterval().toMillis() + "&initialDelay="
                        + properties.abandonment().pollInterval().toMillis())
                .routeId("lifecycle-abandonment-timer")
                .process(exchange -> {
                    exchange.getMessage().setBody(lifecycle.abandonDue());
                    storeDown.succeeded();
                });
    }
}
