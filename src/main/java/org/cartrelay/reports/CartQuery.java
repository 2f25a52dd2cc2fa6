package org.cartrelay.reports;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import org.cartrelay.support.TimeParameter;

/**
 * The filters of a cart report: started within [{@code from}, {@code to}), one buyer's email, one product among the
 * checkout's items, one or more statuses. Every filter is optional; absent ones match everything.
 */
public record CartQuery(Instant from, Instant to, String email, String product, List<String> statuses) {

    /** A status is a lower-case word; statuses the hub does not know yet (e.g. newly added ones) match nothing. */
    private static final Pattern STATUS = Pattern.compile("[a-z][a-z_-]{0,15}");

    public CartQuery {
        statuses = statuses == null ? List.of() : List.copyOf(statuses);
    }

    public static CartQuery all() {
        return new CartQuery(null, null, null, null, List.of());
    }

    /**
     * Reads the request parameters.
     *
     * @throws IllegalArgumentException with a sentence naming the parameter and what it expects
     */
    public static CartQuery parse(String from, String to, String email, String product, String status) {
        Instant start = TimeParameter.parse("from", from, false);
        Instant end = TimeParameter.parse("to", to, true);
        if (start != null && end != null && !start.isBefore(end)) {
            throw new IllegalArgumentException(
                    "The parameter 'from' (" + from + ") must lie before 'to' (" + to + ").");
        }
        List<String> statuses = new ArrayList<>();
        if (status != null && !status.isBlank()) {
            for (String one : status.split(",")) {
                String trimmed = one.trim().toLowerCase(Locale.ROOT);
                if (!STATUS.matcher(trimmed).matches()) {
                    throw new IllegalArgumentException("The parameter 'status' must be one or more of pending, "
                            + "abandoned, recovered, converted, separated by commas, not '" + status + "'.");
                }
                statuses.add(trimmed);
            }
        }
        return new CartQuery(
                start,
                end,
                blankToNull(email) == null ? null : email.trim().toLowerCase(Locale.ROOT),
                blankToNull(product) == null ? null : product.trim(),
                statuses);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
