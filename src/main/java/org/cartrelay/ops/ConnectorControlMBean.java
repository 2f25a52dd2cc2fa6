package org.cartrelay.ops;

/** {@code cartrelay:type=Connector,name=<name>}: one connector's figures and controls; docs/operations.md lists them. */
public interface ConnectorControlMBean {

    long getDelivered();

    long getFailed();

    long getPending();

    long getDeadLettered();

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
    long getThrottled();

    boolean isPaused();

    String getDisabledReason();

    void pause();

    void resume();

    /** Replays every dead letter of this connector; returns how many. */
    int replayDeadLetters();
}
