package org.cartrelay.ops;

/**
 * {@code cartrelay:type=Connector,name=<name>}: one connector's figures and controls; docs/operations.md lists them.
 * A name ending in {@code SinceStart} is counted in this instance's memory since it started (a restart resets it); one
 * ending in {@code Stored} is read from the database and counts every instance's deliveries. The others are this
 * instance's state now.
 */
public interface ConnectorControlMBean {

    /** Deliveries this instance delivered since start. */
    long getDeliveredSinceStart();

    /** Attempts of this instance that failed (retried or dead) since start. */
    long getFailedSinceStart();

    /** Deliveries waiting to be sent or in flight, from the database (all instances). */
    long getPendingStored();

    /** Dead letters kept for a replay, from the database (all instances). */
    long getDeadLettersStored();

    String getLastError();

    String getLastSuccess();

    /** CLOSED, OPEN or HALF_OPEN. */
    String getCircuitState();

    /** Calls it may make at once now: lowered when its target asks to slow down, growing back. */
    int getConcurrency();

    /** Calls per second it may make now, e.g. "12.5/s", or "unlimited". */
    String getRateLimit();

    /** Until when it waits because its target asked to (Retry-After), or null. */
    String getWaitingUntil();

    /** Attempts its target answered with "slow down" (429, or 503 with Retry-After) since start. */
    long getThrottledSinceStart();

    boolean isPaused();

    String getDisabledReason();

    void pause();

    void resume();

    /** Replays every dead letter of this connector; returns how many. */
    int replayDeadLetters();
}
