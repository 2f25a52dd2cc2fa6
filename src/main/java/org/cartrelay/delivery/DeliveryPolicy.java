package org.cartrelay.delivery;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.TimeoutException;

import org.cartrelay.config.CartRelayProperties;
import org.cartrelay.connectors.Connector;
import org.cartrelay.connectors.ConnectorConfigException;
import org.cartrelay.connectors.FailureKind;
import org.cartrelay.connectors.PermanentDeliveryException;
import org.cartrelay.connectors.RateLimitedException;
import org.cartrelay.connectors.RetryPolicy;
import org.cartrelay.store.DeliveryStatus;
import org.cartrelay.store.OutboxStore.Claimed;
import org.cartrelay.support.Masking;
import org.springframework.stereotype.Component;

/**
 * The one place that judges an attempt and decides what becomes of its delivery, for every connector's route: what
 * an answer or an exception means ({@link Verdict}: delivered, retried, throttled, gone or dead, and whether the
 * target is to blame), and from that the delivery's next state: delivered, pending again at a time, or a dead
 * letter with the sentence an operator reads.
 */
@Component
public class DeliveryPolicy {

    private final ConnectorRuntimes runtimes;
    private final Duration maxWait;

    public DeliveryPolicy(ConnectorRuntimes runtimes, CartRelayProperties properties) {
        this.runtimes = runtimes;
        this.maxWait = properties.delivery().throttle().maxWait();
    }

    // --- what an answer means ---

    /**
     * The verdict on an attempt's result: the connector's gate held it after {@code calls} calls, it threw (the text
     * masks the buyer's data of {@code payload}), it left an HTTP status with its {@code Retry-After}, or nothing of
     * these: delivered.
     */
    static Verdict judge(
            Connector connector,
            boolean held,
            int calls,
            Throwable thrown,
            Integer status,
            String retryAfter,
            String payload,
            Instant now) {
        if (held) {
            return held(calls);
        }
        if (thrown != null) {
            Verdict verdict = ofFailure(thrown, connector);
            return verdict.withError(BuyerData.maskedIn(verdict.error(), payload));
        }
        if (status != null) {
            return ofStatus(status, retryAfter(retryAfter, now));
        }
        return Verdict.DELIVERED;
    }

    /**
     * 2xx is delivered; 429, or 503 with a readable {@code Retry-After}, throttles; 408, 425 and 5xx are retried;
     * 410 is gone; any other 4xx is dead. 1xx and 3xx (redirects are not followed) did not arrive: retried.
     *
     * @param retryAfter whether the answer carried a readable {@code Retry-After}
     */
    public static Classification classify(int status, boolean retryAfter) {
        if (status >= 200 && status < 300) {
            return Classification.DELIVERED;
        }
        if (status == 429 || status == 503 && retryAfter) {
            return Classification.THROTTLED;
        }
        if (status == 408 || status == 425 || status >= 500) {
            return Classification.RETRY;
        }
        if (status == 410) {
            return Classification.GONE;
        }
        if (status >= 400) {
            return Classification.DEAD;
        }
        return Classification.RETRY;
    }

    /** An HTTP answer; only 5xx and 408 that are retried blame the target (count toward its breaker). */
    static Verdict ofStatus(int status, Duration retryAfter) {
        Classification classification = classify(status, retryAfter != null);
        if (classification == Classification.DELIVERED) {
            return Verdict.DELIVERED;
        }
        boolean down = classification == Classification.RETRY && (status >= 500 || status == 408);
        return new Verdict(classification, down, "HTTP " + status, retryAfter);
    }

    /**
     * An exception of the attempt: {@link PermanentDeliveryException} and configuration errors are dead at once,
     * {@link RateLimitedException} throttles, the connector's own {@link Connector#failureKind} comes next, and
     * otherwise an I/O error or timeout among the causes means the target is down; anything else is retried without
     * blaming the target.
     */
    static Verdict ofFailure(Throwable failure, Connector connector) {
        String error = describe(failure);
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof PermanentDeliveryException || cause instanceof ConnectorConfigException) {
                return new Verdict(Classification.DEAD, false, describe(cause), null);
            }
            if (cause instanceof RateLimitedException limited) {
                return new Verdict(Classification.THROTTLED, false, describe(cause), limited.retryAfter());
            }
        }
        FailureKind kind = connector.failureKind(failure);
        if (kind == null) {
            kind = ioOrTimeout(failure) ? FailureKind.TARGET_DOWN : FailureKind.TRANSIENT;
        }
        return switch (kind) {
            case PERMANENT -> new Verdict(Classification.DEAD, false, error, null);
            case TARGET_DOWN -> new Verdict(Classification.RETRY, true, error, null);
            case TRANSIENT -> new Verdict(Classification.RETRY, false, error, null);
        };
    }

    /** A connector whose gate refused a call after {@code calls} were made: no failure, it waits with its connector. */
    static Verdict held(int calls) {
        return new Verdict(
                Classification.THROTTLED,
                false,
                "Stopped after " + calls + " calls: the connector may not"
                        + " call again now (paused, waiting for its target, or its breaker is open).",
                null);
    }

    private static boolean ioOrTimeout(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof IOException || cause instanceof TimeoutException) {
                return true;
            }
        }
        return false;
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
                Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME)
                        .toInstant();
                return at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO;
            } catch (DateTimeParseException ignored) {
                return null;
            }
        }
    }

    /**
     * The exception and, when it says more, its root cause (an SMTP reply behind "Invalid Addresses", say), with any
     * email address in them masked: the text goes to the log and the dead letter.
     */
    static String describe(Throwable failure) {
        String text = failure.getClass().getSimpleName() + ": " + failure.getMessage();
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String rootMessage = root.getMessage();
        if (root != failure
                && rootMessage != null
                && (failure.getMessage() == null || !failure.getMessage().contains(rootMessage))) {
            text += " (" + root.getClass().getSimpleName() + ": " + rootMessage.strip() + ")";
        }
        return Masking.emailsIn(text);
    }

    // --- what becomes of the delivery ---

    /** A delivery's next state, when it is due again, and why it is dead. */
    record Next(DeliveryStatus status, Instant at, String reason) {}

    /**
     * The delivery's next state after an attempt with this verdict, told to the connector's runtime (breaker state,
     * throttle, counters) as it is decided. A retry that reaches {@code retry.maxAttempts} failures (throttled
     * attempts are none), a 410 (which also disables the connector) and a refusal are dead letters.
     */
    Next next(ConnectorRuntime runtime, Claimed delivery, int attempt, Verdict verdict, Instant now) {
        RetryPolicy retry = runtime.connector().definition().retry();
        String error = verdict.error();
        switch (verdict.classification()) {
            case DELIVERED -> {
                runtime.onDelivered(now);
                return new Next(DeliveryStatus.DELIVERED, null, null);
            }
            case THROTTLED -> {
                // no failure: it waits with its connector, as long as the target asked (within max-wait)
                runtime.onThrottled(error, now);
                Instant at = runtime.throttle().waitUntil();
                if (verdict.retryAfter() != null) {
                    Instant asked =
                            now.plus(verdict.retryAfter().compareTo(maxWait) > 0 ? maxWait : verdict.retryAfter());
                    at = asked.isAfter(at) ? asked : at;
                }
                return new Next(DeliveryStatus.PENDING, at.isAfter(now) ? at : now, null);
            }
            case RETRY -> {
                int failures = attempt - delivery.throttled();
                if (failures >= retry.maxAttempts()) {
                    String reason = "Gave up after " + failures + " attempts; the last one failed with " + error;
                    runtime.onFailure(error, now, true);
                    return new Next(DeliveryStatus.DEAD, null, reason);
                }
                Duration wait = retry.delayAfter(failures);
                if (verdict.retryAfter() != null) {
                    wait = clamp(verdict.retryAfter(), retry.initialDelay(), retry.maxDelay());
                }
                runtime.onFailure(error, now, false);
                return new Next(DeliveryStatus.PENDING, now.plus(wait), null);
            }
            case GONE -> {
                String reason = "The receiver answered 410 Gone: it asks not to be called again, so the connector "
                        + "is disabled until an operator resumes it.";
                runtime.onRejected(reason, now);
                runtimes.disable(runtime.name(), "410 Gone at " + now + " for delivery " + delivery.id());
                return new Next(DeliveryStatus.DEAD, null, reason);
            }
            default -> {
                String reason = error.startsWith("HTTP ")
                        ? "The receiver refused the request with " + error
                                + "; not retried (replay it once the receiver or the data is fixed)."
                        : "Not retried (replay it once the cause is fixed): " + error;
                runtime.onRejected(reason, now);
                return new Next(DeliveryStatus.DEAD, null, reason);
            }
        }
    }

    private static Duration clamp(Duration value, Duration min, Duration max) {
        return value.compareTo(min) < 0 ? min : value.compareTo(max) > 0 ? max : value;
    }
}
