package org.cartrelay.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A token bucket for a connector's {@code rateLimit} ("10/s", "600/m", "5000/h"); unlimited when absent. */
public final class RateLimiter {

    private static final Pattern FORMAT = Pattern.compile("^(\\d+)/(s|m|h)$");

    private final double perSecond;
    private final double capacity;
    private double tokens;
    private Instant refilledAt;

    private RateLimiter(double perSecond) {
        this.perSecond = perSecond;
        this.capacity = Math.max(1, perSecond);
        this.tokens = capacity;
    }

    public static RateLimiter unlimited() {
        return new RateLimiter(Double.POSITIVE_INFINITY);
    }

    /** @throws IllegalArgumentException when the text is not {@code N/s}, {@code N/m} or {@code N/h} */
    public static RateLimiter parse(String text) {
        if (text == null) {
            return unlimited();
        }
        Matcher m = FORMAT.matcher(text.trim());
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new IllegalArgumentException("a rate such as 10/s, 600/m or 5000/h");
        }
        Duration unit = switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(1);
            case "m" -> Duration.ofMinutes(1);
            default -> Duration.ofHours(1);
        };
        return new RateLimiter(Long.parseLong(m.group(1)) / (double) unit.toSeconds());
    }

    public synchronized void refund(int permits) {
        if (!Double.isInfinite(perSecond)) {
            tokens = Math.min(capacity, tokens + permits);
        }
    }

    /** Takes up to {@code wanted} tokens and returns how many it got. */
    public synchronized int acquire(int wanted, Instant now) {
        if (Double.isInfinite(perSecond)) {
            return wanted;
        }
        if (refilledAt != null) {
            double elapsed = Math.max(0, Duration.between(refilledAt, now).toNanos() / 1e9);
            tokens = Math.min(capacity, tokens + elapsed * perSecond);
        }
        refilledAt = now;
        int granted = (int) Math.min(wanted, Math.floor(tokens));
        tokens -= granted;
        return granted;
    }
}
