package org.cartrelay.delivery;

import java.time.Duration;

/**
 * One attempt's outcome as the {@link DeliveryPolicy} judged it: what becomes of the delivery
 * ({@link Classification}), whether it tells that the target is down (only connection errors, timeouts and 5xx count
 * toward the circuit breaker), the error to record, and how long the target asked to wait.
 */
record Verdict(Classification classification, boolean targetDown, String error, Duration retryAfter) {

    static final Verdict DELIVERED = new Verdict(Classification.DELIVERED, false, null, null);

    Verdict withError(String text) {
        return new Verdict(classification, targetDown, text, retryAfter);
    }
}
