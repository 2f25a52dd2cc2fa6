package org.cartrelay.ops;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.cartrelay.store.CheckoutStatus;
import org.cartrelay.store.CheckoutStore;
import org.cartrelay.store.OutboxStore;
import org.cartrelay.store.OutboxStore.Backlog;
import org.springframework.stereotype.Component;

/**
 * Figures read from the database for JMX, health and metrics. The delivery backlog is cached briefly, so that frequent
 * scrapes and JMX consoles cost its grouped query once a second at most; the checkout counts are read on each call.
 */
@Component
public class HubStatus {

    private static final Duration FRESH = Duration.ofSeconds(1);

    private final OutboxStore outbox;
    private final CheckoutStore checkouts;
    private final Clock clock;
    private volatile Map<String, Backlog> backlog = Map.of();
    private volatile Instant backlogAt = Instant.MIN;

    public HubStatus(OutboxStore outbox, CheckoutStore checkouts, Clock clock) {
        this.outbox = outbox;
        this.checkouts = checkouts;
        this.clock = clock;
    }

    public Backlog backlog(String connector) {
        Instant now = clock.instant();
        if (backlogAt.plus(FRESH).isBefore(now)) {
            backlog = outbox.backlog();
            backlogAt = now;
        }
        return backlog.getOrDefault(connector, Backlog.EMPTY);
    }

    /** Seconds since the oldest waiting delivery of a connector was created; 0 when nothing waits. */
    public double oldestPendingAgeSeconds(String connector) {
        Instant oldest = backlog(connector).oldestPending();
        return oldest == null
                ? 0
                : Math.max(0, Duration.between(oldest, clock.instant()).toMillis() / 1000.0);
    }

    public long checkouts(CheckoutStatus status) {
        return checkouts.countByStatus(status);
    }

    public long everAbandoned() {
        return checkouts.countEverAbandoned();
    }
}
