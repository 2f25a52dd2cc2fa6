package org.cartrelay.delivery;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

import org.cartrelay.connectors.Connector;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;

/**
 * What the hub knows about one connector while it runs: its circuit breaker and throttle, whether an operator paused
 * it or a receiver's 410 disabled it, and the counters and last outcomes that JMX, health and metrics show.
 */
public final class ConnectorRuntime {

    private final Connector connector;
    private final Breaker breaker;
    private final Throttle throttle;
    private volatile java.util.function.Consumer<Instant> waitSharing = until -> {};
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong deadLettered = new AtomicLong();
    private final AtomicLong throttled = new AtomicLong();
    private final AtomicLong claimed = new AtomicLong();
    private final AtomicLong handedOver = new AtomicLong();
    private volatile boolean paused;
    private volatile String disabledReason;
    private volatile LastError lastError;
    private volatile Instant lastSuccess;

    ConnectorRuntime(Connector connector, Breaker breaker, Throttle throttle) {
        this.connector = connector;
        this.breaker = breaker;
        this.throttle = throttle;
    }

    public Connector connector() {
        return connector;
    }

    public String name() {
        return connector.name();
    }

    Breaker breaker() {
        return breaker;
    }

    Throttle throttle() {
        return throttle;
    }

    /** Tells the other instances that the target asked to wait until {@code until} ({@link ConnectorRuntimes}). */
    void shareWait(Instant until) {
        waitSharing.accept(until);
    }

    void shareWaitsWith(java.util.function.Consumer<Instant> sharing) {
        this.waitSharing = sharing;
    }

    /** Whether it may send at all: not paused, not disabled by a 410, enabled in its file. */
    boolean active() {
        return !paused && disabledReason == null && connector.definition().enabled();
    }

    /** What a lane may lease now: how many, and whether only retries (its breaker is open). */
    record Lease(int count, boolean retriesOnly) {
        static final Lease NONE = new Lease(0, false);
    }

    /** How many of {@code free} deliveries the lane may lease now, as its state, breaker and throttle allow. */
    Lease lease(int free, Instant now) {
        if (!active() || free <= 0) {
            return Lease.NONE;
        }
        int count = throttle.leasable(free, now);
        if (count == 0) {
            return Lease.NONE;
        }
        return switch (breaker.mode()) {
            case ALL -> new Lease(count, false);
            case TRIALS -> new Lease(Math.min(count, breaker.trialCalls()), false);
            case RETRIES -> new Lease(count, true);
        };
    }

    /** The gate of one attempt of a delivery ({@code retry}: tried before) whose lease needs a call by the deadline. */
    AttemptGate gate(boolean retry, Instant deadline) {
        return new AttemptGate(this, retry, deadline);
    }

    /** The error of the last attempt that failed or was throttled, and when it ended. */
    public record LastError(Instant at, String message) {

        /** As JMX and health show it: the instant, a space, the error. */
        @Override
        public String toString() {
            return at + " " + message;
        }
    }

    void onDelivered(Instant at) {
        delivered.incrementAndGet();
        lastSuccess = at;
    }

    /** A failed attempt that will be retried, or has used up its attempts ({@code dead}). */
    void onFailure(String error, Instant at, boolean dead) {
        failed.incrementAndGet();
        if (dead) {
            deadLettered.incrementAndGet();
        }
        lastError = new LastError(at, error);
    }

    /** Dead-lettered at once: the request was refused, or can never succeed. */
    void onRejected(String error, Instant at) {
        failed.incrementAndGet();
        deadLettered.incrementAndGet();
        lastError = new LastError(at, error);
    }

    /** The target asked to slow down. */
    void onThrottled(String error, Instant at) {
        throttled.incrementAndGet();
        lastError = new LastError(at, error);
    }

    /** The lane leased deliveries: {@code byClaim} it claimed them, or the fan-out handed them over. */
    void onLeased(int count, boolean byClaim) {
        (byClaim ? claimed : handedOver).addAndGet(count);
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

    /** CLOSED, OPEN or HALF_OPEN. */
    public CircuitBreaker.State circuitState() {
        return breaker.state();
    }

    /** Calls at once it may make now (lowered after a target's "slow down", growing back). */
    public int concurrency() {
        return throttle.concurrency();
    }

    /** Calls per second it may make now; infinite when unlimited. */
    public double rate() {
        return throttle.rate();
    }

    /** {@link #rate} as "12.5/s", or "unlimited". */
    public String rateLimit() {
        return Throttle.describe(throttle.rate());
    }

    /** Until when it waits because its target asked to, or null when it does not wait. */
    public Instant waitingUntil(Instant now) {
        Instant until = throttle.waitUntil();
        return until.isAfter(now) ? until : null;
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

    /** Attempts its target answered with "slow down". */
    public long throttled() {
        return throttled.get();
    }

    /** Deliveries this lane claimed from the store. */
    public long claimed() {
        return claimed.get();
    }

    /** Deliveries the fan-out handed to this lane as it wrote them, without a claim. */
    public long handedOver() {
        return handedOver.get();
    }

    public LastError lastError() {
        return lastError;
    }

    public Instant lastSuccess() {
        return lastSuccess;
    }
}
