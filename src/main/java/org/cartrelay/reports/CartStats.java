package org.cartrelay.reports;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Abandonment and recovery figures over the checkouts started in a date range: for all of them, per product and per
 * order form (each keyed with its source, since two shops may use the same ids). A checkout counts once under every
 * product among its items, so the product rows can add up to more than the total. Defined in docs/reports.md.
 */
public final class CartStats {

    /** Where a checkout named no product or order form. */
    public static final String NONE = "(none)";
    /** The currency of an amount whose order and checkout named none. */
    public static final String NO_CURRENCY = "XXX";

    private final Figures total = new Figures(null, null);
    private final Map<String, Figures> products = new LinkedHashMap<>();
    private final Map<String, Figures> orderForms = new LinkedHashMap<>();

    /** Counts one checkout. */
    public void add(CartRow row) {
        total.add(row);
        List<String> productIds = row.products().isEmpty() ? List.of(NONE) : row.products();
        for (String product : productIds) {
            products.computeIfAbsent(row.source() + '\u0000' + product, k -> new Figures(row.source(), product))
                    .add(row);
        }
        String form = row.orderFormId() == null ? NONE : row.orderFormId();
        orderForms
                .computeIfAbsent(row.source() + '\u0000' + form, k -> new Figures(row.source(), form))
                .add(row);
    }

    public Figures total() {
        return total;
    }

    /** Most started first. */
    public List<Figures> products() {
        return sorted(products);
    }

    public List<Figures> orderForms() {
        return sorted(orderForms);
    }

    private static List<Figures> sorted(Map<String, Figures> figures) {
        List<Figures> list = new ArrayList<>(figures.values());
        list.sort(Comparator.comparingLong(Figures::started)
                .reversed()
                .thenComparing(Figures::source)
                .thenComparing(Figures::key));
        return list;
    }

    /** The figures of one group of checkouts. */
    public static final class Figures {
        private final String source;
        private final String key;
        private long started;
        private long pending;
        private long abandoned;
        private long recovered;
        private long converted;
        private long other;
        private final Map<String, BigDecimal> recoveredRevenue = new TreeMap<>();

        Figures(String source, String key) {
            this.source = source;
            this.key = key;
        }

        void add(CartRow row) {
            started++;
            if (row.everAbandoned()) {
                abandoned++;
            }
            switch (row.status()) {
                case "pending" -> pending++;
                case "converted" -> converted++;
                case "recovered" -> {
                    recovered++;
                    if (row.recoveredAmount() != null) {
                        String currency = row.recoveredCurrency() == null ? NO_CURRENCY : row.recoveredCurrency();
                        recoveredRevenue.merge(currency, row.recoveredAmount(), BigDecimal::add);
                    }
                }
                case "abandoned" -> {
                    // counted above, with the recovered ones
                }
                default -> other++;
            }
        }

        public String source() {
            return source;
        }

        /** The product id or order form id. */
        public String key() {
            return key;
        }

        public long started() {
            return started;
        }

        public long pending() {
            return pending;
        }

        /** Abandoned at some point, recovered since or not. */
        public long abandoned() {
            return abandoned;
        }

        public long recovered() {
            return recovered;
        }

        public long converted() {
            return converted;
        }

        /** Statuses the reports do not know, e.g. a checkout replaced by a newer one of the same buyer. */
        public long other() {
            return other;
        }

        /** Converted among those decided either way (converted or abandoned); null before any was. */
        public BigDecimal conversionRate() {
            return rate(converted, converted + abandoned);
        }

        /** Recovered among the abandoned; null before any was abandoned. */
        public BigDecimal recoveryRate() {
            return rate(recovered, abandoned);
        }

        /** Amount per currency, ISO code order. */
        public Map<String, BigDecimal> recoveredRevenue() {
            return recoveredRevenue;
        }

        private static BigDecimal rate(long part, long whole) {
            return whole == 0
                    ? null
                    : BigDecimal.valueOf(part).divide(BigDecimal.valueOf(whole), 4, RoundingMode.HALF_UP);
        }
    }
}
