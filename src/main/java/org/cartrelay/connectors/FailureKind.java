package org.cartrelay.connectors;

/** What an exception of a connector's target says about the delivery and about the target. */
public enum FailureKind {
    /** Sending the same delivery again cannot succeed: dead-lettered at once; the target is not at fault. */
    PERMANENT,
    /** The target is down or too slow (connection refused, timeout, its server failed): retried, and counted. */
    TARGET_DOWN,
    /** Retried, but says nothing about the target's health. */
    TRANSIENT
}
