package org.cartrelay.delivery;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** What one attempt's answer means (SPEC section 6). */
public enum Classification {
    DELIVERED,
    RETRY,
    /** 410: the receiver asks never to be called again. */
    GONE,
    /** Any other 4xx: sending the same request again cannot succeed. */
    DEAD;

    public static Classification ofStatus(int status) {
        if (status >= 200 && status < 300) {
            return DELIVERED;
        }
        if (status == 408 || status == 425 || status == 429 || status >= 500) {
            return RETRY;
        }
        if (status == 410) {
            return GONE;
        }
        if (status >= 400) {
            return DEAD;
        }
        // 1xx and 3xx (redirects are not followed): the request did not arrive, try again later
        return RETRY;
    }

    /** A {@code Retry-After} header (seconds or an HTTP date) as a wait from now, or null when absent or unreadable. */
    public static Duration retryAfter(String header, Instant now) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String value = header.trim();
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(value)));
        } catch (NumberFormatException e) {
            try {
                Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                return at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO;
            } catch (DateTimeParseException ignored) {
                return null;
            }
        }
    }
}
