package org.cartrelay.delivery;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

import org.cartrelay.connectors.Connector;

/**
 * What the hub knows about one connector while it runs: its breaker and rate limit, whether an operator paused
 * it or a receiver's 410 disabled it, and the counters and last outcomes that JMX, health and metrics show.
 */
public final class ConnectorRuntime {

    private final Connector connector;
    private final CircuitBreaker breaker;
    private final RateLimiter rateLimiter;
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final AtomicLong claimed = new AtomicLong();
    private final AtomicLong handedOver = new AtomicLong();
    private volatile boolean paused;
    private volatile String disabledReason;
    private volatile String lastError;
    private volatile Instant lastSuccess;

    ConnectorRuntime(Connector connector, CircuitBreaker breaker, RateLimiter rateLimiter) {
        this.connector = connector;
        this.breaker = breaker;
        this.rateLimiter = rateLimiter;
    }

    public Connector connector() {
        return connector;
    }

    public String name() {
        return connector.name();
    }

    /** How many deliveries the lane may start now: none while paused, disabled or open, else within limits. */
    int permits(int free, Instant now) {
        if (paused || disabledReason != null || !connector.definition().enabled() || free <= 0) {
            return 0;
        }
        int allowed = breaker.permits(free, now);
        if (allowed == 0) {
            return 0;
        }
        int granted = rateLimiter.acquire(allowed, now);
        if (granted == 0 && breaker.state(now) == CircuitBreaker.State.HALF_OPEN) {
            breaker.onNeutral();
        }
        return granted;
    }

    /** Whether a delivery leased earlier may still go out now: not while paused, disabled or open. */
    boolean maySend(Instant now) {
        return !paused && disabledReason == null && breaker.state(now) != CircuitBreaker.State.OPEN;
    }

    /** Leased fewer deliveries than permitted: give the rate tokens back, and the breaker's probe if it was one. */
    void returnUnused(int permits, Instant now) {
        rateLimiter.refund(permits);
        if (breaker.state(now) == CircuitBreaker.State.HALF_OPEN) {
            breaker.onNeutral();
        }
    }

    void onDelivered(Instant at) {
        delivered.incrementAndGet();
        lastSuccess = at;
        breaker.onSuccess();
    }

    /** A failed attempt that will be retried, or has used up its attempts. */
    void onFailure(String error, Instant at, boolean dead) {
        failed.incrementAndGet();
        if (dead) {
            deadLettered.incrementAndGet();
        }
        lastError = at + " " + error;
        breaker.onFailure(at);
    }

    /** Dead-lettered because the request itself was refused (4xx): the target is up, the breaker stays as it is. */
    void onRejected(String error, Instant at) {
        failed.incrementAndGet();
        deadLettered.incrementAndGet();
        lastError = at + " " + error;
        breaker.onNeutral();
    }

    /** The lane leased deliveries: {@code byClaim} it claimed them, or the fan-out handed them over. */
    void onLeased(int count, boolean byClaim) {
        (byClaim ? claimed : handedOver).addAndGet(count);
    }

    void onLeaseLost() {
        breaker.onNeutral();
    }

    void setPaused(boolean paused) {
        this.paused = paused;
    }

    void setDisabled(String reason) {
        this.disabledReason = reason;
    }

    void resetBreaker() {
        breaker.reset();
    }

    public boolean paused() {
        return paused;
    }

    public String disabledReason() {
        return disabledReason;
    }

    public CircuitBreaker.State circuitState(Instant now) {
        return breaker.state(now);
    }

    public long delivered() {
        return delivered.get();
    }

    public long failed() {
        return failed.get();
    }

    public long deadLettered() {
        return deadLettered.get();
    }

    /** Deliveries this lane claimed from the store. */
    public long claimed() {
        return claimed.get();
    }

    /** Deliveries the fan-out handed to this lane as it wrote them, without a claim. */
    public long handedOver() {
        return handedOver.get();
    }

    public String lastError() {
        return lastError;
    }

    public Instant lastSuccess() {
        return lastSuccess;
    }
}
