package org.cartrelay.privacy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.apache.camel.LoggingLevel;
import org.apache.camel.builder.RouteBuilder;
import org.cartrelay.config.CartRelayProperties;
import org.cartrelay.store.PrivacyStore;
import org.cartrelay.store.PrivacyStore.PurgeCounts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;

/**
 * Purges rows older than {@code cartrelay.retention} (default 90 days) every {@code cartrelay.purge-interval}, a
 * batch per transaction. Pending work stays: pending checkouts, and outbound events with a delivery still waiting
 * or in flight.
 */
@Component
public class RetentionPurge extends RouteBuilder {

    private static final Logger log = LoggerFactory.getLogger(RetentionPurge.class);
    private static final int BATCH = 500;

    private final PrivacyStore store;
    private final Duration retention;
    private final Duration interval;
    private final Clock clock;

    public RetentionPurge(PrivacyStore store, CartRelayProperties properties, Clock clock) {
        this.store = store;
        this.retention = properties.retention();
        this.interval = properties.purgeInterval();
        this.clock = clock;
    }

    @Override
    public void configure() {
        onException(DataAccessException.class)
                .handled(true)
                .log(LoggingLevel.WARN, "The retention purge cannot reach the store: ${exception.message}");
        from("scheduler:retention-purge?delay=" + interval.toMillis() + "&initialDelay=" + interval.toMillis())
                .routeId("privacy-retention-purge")
                .process(exchange -> exchange.getMessage().setBody(purge()));
    }

    /** Removes everything past retention as of now, batch after batch. @return rows removed */
    public int purge() {
        Instant cutoff = clock.instant().minus(retention);
        int total = 0;
        while (true) {
            PurgeCounts counts = store.purge(cutoff, BATCH);
            total += counts.total();
            if (counts.total() > 0) {
                log.info("Retention purge of rows older than {}: {}", cutoff, counts);
            }
            if (counts.notices() < BATCH && counts.checkouts() < BATCH && counts.outboundEvents() < BATCH) {
                return total;
            }
        }
    }
}
