package org.cartrelay.support;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** The {@code from} and {@code to} of the admin API: an ISO-8601 instant, or a date meaning a whole UTC day. */
public final class TimeParameter {

    private TimeParameter() {}

    /**
     * {@code from=2026-08-01} starts at that day's midnight and {@code to=2026-08-31} ends at the next midnight, so
     * both days are included.
     *
     * @return null when the parameter is absent or blank
     * @throws IllegalArgumentException naming the parameter, when it is neither form (answered 400)
     */
    public static Instant parse(String name, String value, boolean endOfDay) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String text = value.trim();
        try {
            if (text.length() == 10) {
                LocalDate day = LocalDate.parse(text);
                return (endOfDay ? day.plusDays(1) : day)
                        .atStartOfDay(ZoneOffset.UTC)
                        .toInstant();
            }
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("The parameter '" + name + "' must be a date such as 2026-08-18 or an "
                    + "ISO-8601 instant such as 2026-08-18T12:00:00Z, not '" + value + "'.");
        }
    }
}
