package org.cartrelay.delivery;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

import org.cartrelay.connectors.Connector;
import org.cartrelay.connectors.ConnectorConfigException;
import org.cartrelay.connectors.FailureKind;
import org.cartrelay.connectors.PermanentDeliveryException;
import org.cartrelay.connectors.RateLimitedException;
import org.cartrelay.support.Masking;

/**
 * One attempt's outcome: what becomes of the delivery ({@link Classification}), whether it tells that the target is
 * down (only connection errors, timeouts and 5xx count toward the circuit breaker), the error to record, and how
 * long the target asked to wait.
 */
record Verdict(Classification classification, boolean targetDown, String error, Duration retryAfter) {

    static final Verdict DELIVERED = new Verdict(Classification.DELIVERED, false, null, null);

    /** An HTTP answer. */
    Verdict withError(String text) {
        return new Verdict(classification, targetDown, text, retryAfter);
    }

    static Verdict ofStatus(int status, Duration retryAfter) {
        Classification classification = Classification.ofStatus(status, retryAfter != null);
        if (classification == Classification.DELIVERED) {
            return DELIVERED;
        }
        boolean down = classification == Classification.RETRY && (status >= 500 || status == 408);
        return new Verdict(classification, down, "HTTP " + status, retryAfter);
    }

    /**
     * An exception of the attempt: {@link PermanentDeliveryException} and configuration errors are dead at once,
     * {@link RateLimitedException} throttles, the connector's own {@link Connector#failureKind} comes next, and
     * otherwise an I/O error or timeout among the causes means the target is down; anything else is retried without
     * blaming the target.
     */
    static Verdict ofFailure(Throwable failure, Connector connector) {
        String error = describe(failure);
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof PermanentDeliveryException || cause instanceof ConnectorConfigException) {
                return new Verdict(Classification.DEAD, false, describe(cause), null);
            }
            if (cause instanceof RateLimitedException limited) {
                return new Verdict(Classification.THROTTLED, false, describe(cause), limited.retryAfter());
            }
        }
        FailureKind kind = connector.failureKind(failure);
        if (kind == null) {
            kind = ioOrTimeout(failure) ? FailureKind.TARGET_DOWN : FailureKind.TRANSIENT;
        }
        return switch (kind) {
            case PERMANENT -> new Verdict(Classification.DEAD, false, error, null);
            case TARGET_DOWN -> new Verdict(Classification.RETRY, true, error, null);
            case TRANSIENT -> new Verdict(Classification.RETRY, false, error, null);
        };
    }

    private static boolean ioOrTimeout(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof IOException || cause instanceof TimeoutException) {
                return true;
            }
        }
        return false;
    }

    /**
     * The exception and, when it says more, its root cause (an SMTP reply behind "Invalid Addresses", say), with any
     * email address in them masked: the text goes to the log and the dead letter.
     */
    static String describe(Throwable failure) {
        String text = failure.getClass().getSimpleName() + ": " + failure.getMessage();
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String rootMessage = root.getMessage();
        if (root != failure && rootMessage != null
                && (failure.getMessage() == null || !failure.getMessage().contains(rootMessage))) {
            text += " (" + root.getClass().getSimpleName() + ": " + rootMessage.strip() + ")";
        }
        return Masking.emailsIn(text);
    }
}
