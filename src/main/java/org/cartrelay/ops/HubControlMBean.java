package org.cartrelay.ops;

/** {@code cartrelay:type=Hub}: intake and lifecycle figures; docs/operations.md lists them. */
public interface HubControlMBean {

    long getAccepted();

    long getRejected();

    long getDuplicates();

    long getPendingCheckouts();

    long getAbandoned();

    long getRecovered();
}
