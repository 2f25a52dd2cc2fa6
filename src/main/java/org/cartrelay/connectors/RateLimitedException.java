package org.cartrelay.connectors;

import java.time.Duration;

/**
 * The target asked to slow down in its own words (HubSpot's 207 with a {@code RATE_LIMITS} error, say), as a 429
 * would: the connector waits as a whole and resumes at a lower rate, and the attempt is no failure.
 */
public class RateLimitedException extends RuntimeException {

    private final Duration retryAfter;

    /** @param retryAfter how long the target asked to wait, or null when it did not say */
    public RateLimitedException(String message, Duration retryAfter) {
        super(message);
        this.retryAfter = retryAfter;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
