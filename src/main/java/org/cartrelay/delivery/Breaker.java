package org.cartrelay.delivery;

import java.util.concurrent.TimeUnit;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.IllegalStateTransitionException;

/**
 * One connector's circuit breaker, resilience4j's: it opens on the failure rate (or slow-call rate) over a sliding
 * window of calls once the window holds a minimum of them, waits (longer each time a trial fails), then lets a
 * number of trial calls through and closes when few enough of them fail. Only a target that is down counts
 * (connection errors, timeouts, 5xx): a throttled, refused or neutral call is given back.
 * <p>
 * While it is open, new deliveries wait; a delivery that was tried before keeps to its own backoff and goes out
 * ({@link Pass#BYPASS}), since its retries cannot hammer a target, and a retry that succeeds ends the wait at once
 * (the breaker turns half-open). So a target that accepts some calls and fails others keeps receiving: a delivery it
 * failed comes back on its schedule whatever the breaker says.
 */
final class Breaker {

    /** What the breaker said to one call. */
    enum Pass {
        DENIED,
        /** A call the breaker counts (closed, or a trial while half-open). */
        PERMITTED,
        /** A retry while open: not counted, but its success turns the breaker half-open. */
        BYPASS
    }

    /** Which deliveries the lane may lease: any, a few trials, or only retries. */
    enum Mode {
        ALL,
        TRIALS,
        RETRIES
    }

    private final CircuitBreaker breaker;
    private final int trialCalls;

    Breaker(CircuitBreaker breaker) {
        this.breaker = breaker;
        this.trialCalls = breaker.getCircuitBreakerConfig().getPermittedNumberOfCallsInHalfOpenState();
    }

    CircuitBreaker circuitBreaker() {
        return breaker;
    }

    CircuitBreaker.State state() {
        return breaker.getState();
    }

    /** What the lane may lease now; an open breaker whose wait is over turns half-open here. */
    Mode mode() {
        return switch (breaker.getState()) {
            case HALF_OPEN -> Mode.TRIALS;
            case OPEN, FORCED_OPEN -> {
                if (breaker.tryAcquirePermission()) { // the wait is over: half-open now
                    breaker.releasePermission();
                    yield Mode.TRIALS;
                }
                yield Mode.RETRIES;
            }
            default -> Mode.ALL;
        };
    }

    int trialCalls() {
        return trialCalls;
    }

    Pass pass(boolean retry) {
        if (breaker.tryAcquirePermission()) {
            return Pass.PERMITTED;
        }
        return retry && breaker.getState() == CircuitBreaker.State.OPEN ? Pass.BYPASS : Pass.DENIED;
    }

    void onSuccess(Pass pass, long nanos) {
        if (pass == Pass.PERMITTED) {
            breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
        } else if (pass == Pass.BYPASS && breaker.getState() == CircuitBreaker.State.OPEN) {
            try {
                breaker.transitionToHalfOpenState();
            } catch (IllegalStateTransitionException raced) {
                // another call moved it on meanwhile
            }
        }
    }

    void onFailure(Pass pass, long nanos, String error) {
        if (pass == Pass.PERMITTED) {
            breaker.onError(nanos, TimeUnit.NANOSECONDS, new TargetDown(error));
        }
    }

    /** A call that says nothing about the target's health, or that was not made. */
    void release(Pass pass) {
        if (pass == Pass.PERMITTED) {
            breaker.releasePermission();
        }
    }

    void reset() {
        breaker.reset();
    }

    /** The failure the breaker records: the attempt's error, without a stack trace. */
    static final class TargetDown extends RuntimeException {
        TargetDown(String error) {
            super(error, null, false, false);
        }
    }
}
