package org.cartrelay.store;

import java.util.Locale;

/** Where a delivery is; stored in {@code delivery.status} as its lower-case name. */
public enum DeliveryStatus {

    /** Waiting to be sent (or retried), leased or not. */
    PENDING,
    DELIVERED,
    /** Given up on: a dead letter. */
    DEAD,
    /** Not sent: the cart was recovered first. */
    CANCELLED,
    /** Withheld by policy, with its reason; never silently dropped. */
    SUPPRESSED,
    /** A dead letter sent again as a new delivery. */
    REPLAYED;

    /** The column's value. */
    public String column() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The status a column holds. */
    public static DeliveryStatus ofColumn(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
