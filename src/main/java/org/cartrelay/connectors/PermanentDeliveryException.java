package org.cartrelay.connectors;

/**
 * The target refused this delivery for good, or it can never be sent as it is (a configuration error, an event
 * without the field the target needs): it goes to the dead letters at once with this message, is not retried, and
 * does not count toward the connector's circuit breaker. A {@code route} connector's route throws it (or a subclass)
 * to say so; any other exception there is retried.
 */
public class PermanentDeliveryException extends RuntimeException {

    public PermanentDeliveryException(String message) {
        super(message);
    }

    public PermanentDeliveryException(String message, Throwable cause) {
        super(message, cause);
    }
}
