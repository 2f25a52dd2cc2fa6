package org.cartrelay.delivery;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.springframework.stereotype.Component;

/**
 * Events whose unsent deliveries were cancelled in this process (an abandoned cart that was recovered), so that a
 * worker holding one of them leased skips it right before it would send it. The store already says so; this is what
 * a worker can ask without a round trip. An event is kept for longer than any lease lasts.
 */
@Component
public class Cancellations {

    private static final long KEPT = TimeUnit.HOURS.toNanos(1);

    private final Map<String, Long> cancelledAt = new ConcurrentHashMap<>();

    void cancel(String eventId) {
        long now = System.nanoTime();
        cancelledAt.put(eventId, now);
        if (cancelledAt.size() > 256) {
            cancelledAt.values().removeIf(at -> now - at > KEPT);
        }
    }

    /** The cancellation did not commit after all. */
    void undo(String eventId) {
        cancelledAt.remove(eventId);
    }

    boolean cancelled(String eventId) {
        return !cancelledAt.isEmpty() && cancelledAt.containsKey(eventId);
    }
}
