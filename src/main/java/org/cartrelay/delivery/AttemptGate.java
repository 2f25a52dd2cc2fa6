package org.cartrelay.delivery;

import java.time.Instant;

import org.cartrelay.connectors.CallGate;

/**
 * The gate of one attempt: each call asks the connector's breaker and throttle ({@link #enter}), and each call's
 * answer goes back to them, once: a 2xx in the middle of a delivery through {@link #succeeded}, the attempt's last
 * answer through {@link #finish}. Used by the one worker thread that makes the attempt.
 */
final class AttemptGate implements CallGate {

    private final ConnectorRuntime runtime;
    private final boolean retry;
    private final Instant deadline;
    private Breaker.Pass pass;
    private boolean open;
    private long startedAt;
    private int calls;

    /** @param retry whether the delivery was tried before; @param deadline by when its lease needs a call started */
    AttemptGate(ConnectorRuntime runtime, boolean retry, Instant deadline) {
        this.runtime = runtime;
        this.retry = retry;
        this.deadline = deadline;
    }

    @Override
    public boolean enter() {
        if (open) {
            throw new IllegalStateException("A call entered the gate before the previous one's answer was given");
        }
        if (!runtime.active()) {
            return false;
        }
        Breaker.Pass given = runtime.breaker().pass(retry);
        if (given == Breaker.Pass.DENIED) {
            return false;
        }
        if (!runtime.throttle().enter(deadline)) {
            runtime.breaker().release(given);
            return false;
        }
        pass = given;
        open = true;
        calls++;
        startedAt = System.nanoTime();
        return true;
    }

    @Override
    public void succeeded() {
        if (open) {
            open = false;
            runtime.breaker().onSuccess(pass, System.nanoTime() - startedAt);
            runtime.throttle().leave(true);
        }
    }

    /** How many calls entered the gate. */
    int calls() {
        return calls;
    }

    /** The attempt's outcome: its last call's answer goes to the breaker and the throttle. */
    void finish(Verdict verdict) {
        if (verdict.classification() == Classification.THROTTLED) {
            Instant shared = runtime.throttle().slowDown(verdict.retryAfter(), verdict.error());
            if (shared != null) {
                runtime.shareWait(shared);
            }
        }
        if (!open) {
            return;
        }
        open = false;
        long took = System.nanoTime() - startedAt;
        Breaker breaker = runtime.breaker();
        switch (verdict.classification()) {
            case DELIVERED -> breaker.onSuccess(pass, took);
            case RETRY -> {
                if (verdict.targetDown()) {
                    breaker.onFailure(pass, took, verdict.error());
                } else {
                    breaker.release(pass);
                }
            }
            default -> breaker.release(pass);
        }
        runtime.throttle().leave(verdict.classification() == Classification.DELIVERED);
    }
}
