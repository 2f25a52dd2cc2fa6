package org.cartrelay.connectors;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter. The default (12 attempts from 10 s, times 3, at most 6 h) spans about a day and
 * a half before a delivery goes to the dead letters.
 */
public record RetryPolicy(int maxAttempts, Duration initialDelay, double multiplier, Duration maxDelay, double jitter) {

    public static final RetryPolicy DEFAULT =
            new RetryPolicy(12, Duration.ofSeconds(10), 3.0, Duration.ofHours(6), 0.2);

    /** The wait before attempt {@code attempt + 1}, given that {@code attempt} attempts (1-based) have failed. */
    public Duration delayAfter(int attempt) {
        double base = initialDelay.toMillis() * Math.pow(multiplier, Math.max(0, attempt - 1));
        double capped = Math.min(base, maxDelay.toMillis());
        double spread = capped * jitter;
        double jittered = capped + (spread == 0 ? 0 : ThreadLocalRandom.current().nextDouble(-spread, spread));
        return Duration.ofMillis(Math.max(0, Math.round(Math.min(jittered, maxDelay.toMillis()))));
    }
}
