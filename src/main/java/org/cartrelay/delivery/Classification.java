package org.cartrelay.delivery;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** What one attempt's answer means for the delivery. */
public enum Classification {
    DELIVERED,
    /** Failed, tried again after the backoff; it counts toward {@code retry.maxAttempts}. */
    RETRY,
    /**
     * The target asked to slow down (429, or 503 with {@code Retry-After}): the connector waits as a whole, and the
     * attempt is no failure.
     */
    THROTTLED,
    /** 410: the receiver asks never to be called again. */
    GONE,
    /** Sending the same request again cannot succeed (any other 4xx, a permanent error): dead at once. */
    DEAD;

    /** The name stored with an attempt and used as the metrics' outcome tag. */
    public String outcome() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @param retryAfter whether the answer carried a readable {@code Retry-After} */
    public static Classification ofStatus(int status, boolean retryAfter) {
        if (status >= 200 && status < 300) {
            return DELIVERED;
        }
        if (status == 429 || status == 503 && retryAfter) {
            return THROTTLED;
        }
        if (status == 408 || status == 425 || status >= 500) {
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
