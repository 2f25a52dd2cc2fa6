package org.cartrelay.delivery;

import java.time.Duration;
import java.time.Instant;

/**
 * One connector's breaker: after {@code threshold} failed attempts in a row it opens and its lane stops
 * claiming that connector's deliveries (they stay pending, no attempt is spent); after {@code openFor} it lets one
 * probe through, which closes it on success and opens it again on failure.
 */
public final class CircuitBreaker {

    public enum State { CLOSED, OPEN, HALF_OPEN }

    private final int threshold;
    private final Duration openFor;
    private State state = State.CLOSED;
    private int consecutiveFailures;
    private Instant openedAt;
    private boolean probeInFlight;

    public CircuitBreaker(int threshold, Duration openFor) {
        this.threshold = threshold;
        this.openFor = openFor;
    }

    /** How many deliveries may be started now, at most {@code wanted}. */
    public synchronized int permits(int wanted, Instant now) {
        if (state == State.OPEN && !now.isBefore(openedAt.plus(openFor))) {
            state = State.HALF_OPEN;
        }
        return switch (state) {
            case CLOSED -> wanted;
            case OPEN -> 0;
            case HALF_OPEN -> {
                if (probeInFlight || wanted == 0) {
                    yield 0;
                }
                probeInFlight = true;
                yield 1;
            }
        };
    }

    public synchronized void onSuccess() {
        state = State.CLOSED;
        consecutiveFailures = 0;
        probeInFlight = false;
    }

    public synchronized void onFailure(Instant now) {
        consecutiveFailures++;
        if (state == State.HALF_OPEN || consecutiveFailures >= threshold) {
            state = State.OPEN;
            openedAt = now;
        }
        probeInFlight = false;
    }

    /** An attempt that says nothing about the target's health (a rejected request, a lost lease). */
    public synchronized void onNeutral() {
        probeInFlight = false;
    }

    public synchronized State state(Instant now) {
        if (state == State.OPEN && !now.isBefore(openedAt.plus(openFor))) {
            return State.HALF_OPEN;
        }
        return state;
    }

    public synchronized void reset() {
        onSuccess();
    }
}
