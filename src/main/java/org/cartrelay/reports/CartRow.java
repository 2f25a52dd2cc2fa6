package org.cartrelay.reports;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * One checkout as the reports show it: its columns, what its stored started event says (order form, names, items,
 * total) and, once recovered, the amount the buyer paid ({@code recoveredAmount} in {@code recoveredCurrency}).
 */
public record CartRow(
        String id,
        String source,
        String checkoutId,
        String email,
        String firstName,
        String lastName,
        String status,
        Instant startedAt,
        Instant abandonedAt,
        Instant closedAt,
        String orderFormId,
        String currency,
        BigDecimal total,
        List<String> products,
        List<Product> items,
        BigDecimal recoveredAmount,
        String recoveredCurrency) {

    /** A product among the checkout's items: its id and, if the shop sent one, its name. */
    public record Product(String id, String name) {}

    public CartRow {
        products = products == null ? List.of() : List.copyOf(products);
        items = items == null ? List.of() : List.copyOf(items);
    }

    /** Abandoned at some point, whether recovered since or not. */
    public boolean everAbandoned() {
        return abandonedAt != null;
    }
}
