package org.cartrelay.ops;

import java.util.Map;

/**
 * Something operators may want to hear of, about one connector: the hub publishes it as an outbound event of this
 * {@code type} ({@code hub.*}) to the connectors that subscribe to it. {@code details} never hold buyer data.
 */
public record OperationalEvent(String type, String connector, String reason, Map<String, String> details) {

    public static final String CONNECTOR_DISABLED = "hub.connector.disabled";
    public static final String BREAKER_OPENED = "hub.connector.breaker-opened";
    public static final String BREAKER_CLOSED = "hub.connector.breaker-closed";
    public static final String DELIVERY_DEAD_LETTERED = "hub.delivery.dead-lettered";
    public static final String BACKLOG_TOO_OLD = "hub.backlog.too-old";

    /** The prefix of every operational event's type. */
    public static final String PREFIX = "hub.";

    public OperationalEvent {
        details = details == null ? Map.of() : Map.copyOf(details);
    }

    /** Whether an outbound event of this type is an operational one. */
    public static boolean isOperational(String type) {
        return type != null && type.startsWith(PREFIX);
    }
}
