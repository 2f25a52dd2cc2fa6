package org.cartrelay.intake.generic;

import java.time.Duration;
import java.time.Instant;

import org.cartrelay.support.StandardWebhooks;

import jakarta.servlet.http.HttpServletRequest;

/**
 * The generic source's Standard Webhooks check: {@code webhook-id}, {@code webhook-timestamp} (Unix seconds, within
 * the tolerance of the hub's clock) and {@code webhook-signature} over the raw body.
 */
final class GenericSignature {

    private GenericSignature() {}

    /** Why the request is refused, or null when its signature and timestamp hold. */
    static String refusal(HttpServletRequest request, byte[] body, String secret, Duration tolerance, Instant now) {
        String id = request.getHeader("webhook-id");
        String timestamp = request.getHeader("webhook-timestamp");
        String signature = request.getHeader("webhook-signature");
        if (id == null || timestamp == null || signature == null) {
            return "The headers webhook-id, webhook-timestamp and webhook-signature are all required.";
        }
        long seconds;
        try {
            seconds = Long.parseLong(timestamp.trim());
        } catch (NumberFormatException e) {
            return "The webhook-timestamp header must be Unix seconds.";
        }
        if (seconds < Instant.MIN.getEpochSecond() || seconds > Instant.MAX.getEpochSecond()) {
            return "The webhook-timestamp header must be Unix seconds.";
        }
        Duration skew = Duration.between(Instant.ofEpochSecond(seconds), now).abs();
        if (skew.compareTo(tolerance) > 0) {
            return "The webhook-timestamp is " + skew.toSeconds() + " s away from the hub's clock; at most "
                    + tolerance.toSeconds() + " s is accepted.";
        }
        if (!StandardWebhooks.withSecret(secret).verify(id, seconds, body, signature)) {
            return "The webhook-signature does not match the body.";
        }
        return null;
    }
}
