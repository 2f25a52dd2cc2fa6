package org.cartrelay.store;

import java.util.Locale;

/** Where a checkout is in the abandonment lifecycle; stored in {@code checkout.status} as its lower-case name. */
public enum CheckoutStatus {

    /** Waiting for its due time. */
    PENDING,
    /** Due without an order: it got its abandoned event. */
    ABANDONED,
    /** Paid for after its abandonment. */
    RECOVERED,
    /** Paid for before it was due. */
    CONVERTED,
    /** Replaced by a newer checkout of the same buyer before it was due; it never gets an abandoned event. */
    SUPERSEDED;

    /** The column's value. */
    public String column() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The status a column holds. */
    public static CheckoutStatus ofColumn(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
