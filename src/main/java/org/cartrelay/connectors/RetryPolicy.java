package org.cartrelay.connectors;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter, the {@code retry} key of a connector file; its defaults are the schema's
 * ({@code connector-common.schema.json}).
 */
public record RetryPolicy(int maxAttempts, Duration initialDelay, double multiplier, Duration maxDelay, double jitter) {

    /** The wait before attempt {@code attempt + 1}, given that {@code attempt} attempts (1-based) have failed. */
    public Duration delayAfter(int attempt) {
        double base = initialDelay.toMillis() * Math.pow(multiplier, Math.max(0, attempt - 1));
        double capped = Math.min(base, maxDelay.toMillis());
        double spread = capped * jitter;
        double jittered =
                capped + (spread == 0 ? 0 : ThreadLocalRandom.current().nextDouble(-spread, spread));
        return Duration.ofMillis(Math.max(0, Math.round(Math.min(jittered, maxDelay.toMillis()))));
    }
}
