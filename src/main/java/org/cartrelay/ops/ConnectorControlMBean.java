package org.cartrelay.ops;

/** {@code cartrelay:type=Connector,name=<name>}: one connector's figures and controls (SPEC section 7). */
public interface ConnectorControlMBean {

    long getDelivered();

    long getFailed();

    long getPending();

    long getDeadLettered();

    String getLastError();

    String getLastSuccess();

    String getCircuitState();

    boolean isPaused();

    String getDisabledReason();

    void pause();

    void resume();

    /** Replays every dead letter of this connector; returns how many. */
    int replayDeadLetters();
}
