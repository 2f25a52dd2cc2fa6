package org.cartrelay.connectors;

/**
 * What a connector that makes several calls per delivery asks before each call ({@link Connector#gatesEachCall}):
 * the hub holds the call while the target asked to wait, until the connector's rate and concurrency allow it, and
 * refuses it when it must not be made now (the connector was paused, its breaker opened, or the wait would outlast
 * the delivery's lease). The hub gets the exchange as the connector leaves it when it refuses, with
 * {@link Connector#HELD} set.
 */
public interface CallGate {

    /** The exchange property under which the hub passes the gate to a connector's route. */
    String PROPERTY = "CartRelayCallGate";

    /** A gate that lets every call through at once (a connector used outside the delivery engine). */
    CallGate OPEN = new CallGate() {
        @Override
        public boolean enter() {
            return true;
        }

        @Override
        public void succeeded() {}
    };

    /** Waits until the next call may be made; false when it must not be made now. */
    boolean enter();

    /** The call entered last answered 2xx, and the delivery goes on with another call. */
    void succeeded();
}
