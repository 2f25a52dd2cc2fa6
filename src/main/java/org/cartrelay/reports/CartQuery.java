package org.cartrelay.reports;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

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
        Instant start = instant("from", from, false);
        Instant end = instant("to", to, true);
        if (start != null && end != null && !start.isBefore(end)) {
            throw new IllegalArgumentException("The parameter 'from' (" + from + ") must lie before 'to' (" + to
                    + ").");
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
        return new CartQuery(start, end, blankToNull(email) == null ? null : email.trim().toLowerCase(Locale.ROOT),
                blankToNull(product) == null ? null : product.trim(), statuses);
    }

    /**
     * An ISO-8601 instant, or a date (a whole UTC day): {@code from=2026-08-01} starts at that day's midnight and
     * {@code to=2026-08-31} ends at the next midnight, so both days are included.
     */
    static Instant instant(String name, String value, boolean endOfDay) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String text = value.trim();
        try {
            if (text.length() == 10) {
                LocalDate day = LocalDate.parse(text);
                return (endOfDay ? day.plusDays(1) : day).atStartOfDay(ZoneOffset.UTC).toInstant();
            }
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("The parameter '" + name + "' must be a date such as 2026-08-18 or an "
                    + "ISO-8601 instant such as 2026-08-18T12:00:00Z, not '" + value + "'.");
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
