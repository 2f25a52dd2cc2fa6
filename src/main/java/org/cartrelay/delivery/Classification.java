package org.cartrelay.delivery;

import java.util.Locale;

/** What one attempt's answer means for the delivery; the {@link DeliveryPolicy} decides which it is. */
public enum Classification {
    DELIVERED,
    /** Failed, tried again after the backoff; it counts toward {@code retry.maxAttempts}. */
    RETRY,
    /**
     * The target asked to slow down (429, or 503 with {@code Retry-After}): the connector waits as a whole, and the
     * attempt is no failure.
     */
    THROTTLED,
    /** 410: the receiver asks never to be called again. */
    GONE,
    /** Sending the same request again cannot succeed (any other 4xx, a permanent error): dead at once. */
    DEAD;

    /** The name stored with an attempt and used as the metrics' outcome tag. */
    public String outcome() {
        return name().toLowerCase(Locale.ROOT);
    }
}
