package org.cartrelay.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.cartrelay.config.CartRelayProperties;
import org.cartrelay.connectors.CallGate;
import org.cartrelay.connectors.Connector;
import org.cartrelay.connectors.RetryPolicy;
import org.cartrelay.event.OutboundEvent;
import org.cartrelay.ops.HubMetrics;
import org.cartrelay.privacy.PrivacyPolicy;
import org.cartrelay.store.DeliveryStatus;
import org.cartrelay.store.OutboxStore;
import org.cartrelay.store.OutboxStore.Attempt;
import org.cartrelay.store.OutboxStore.Claimed;
import org.cartrelay.store.OutboxStore.Finished;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Makes one attempt of a leased delivery through its connector's route and decides the delivery's next state from
 * the {@link Verdict}. The breaker, throttle, counters and metrics learn the outcome at once; the database learns it
 * through the {@link AttemptRecorder}.
 */
@Component
public class DeliveryWorker {

    private static final Logger log = LoggerFactory.getLogger(DeliveryWorker.class);
    private static final int RESPONSE_SLICE = 2000;

    private final ProducerTemplate producer;
    private final ConnectorRuntimes runtimes;
    private final Cancellations cancellations;
    private final PrivacyPolicy policy;
    private final HubMetrics metrics;
    private final Clock clock;
    private final Duration maxWait;
    /** Connector routes' endpoints, resolved once: resolving the URI on every send normalised it every time. */
    private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();

    public DeliveryWorker(ProducerTemplate producer, ConnectorRuntimes runtimes, Cancellations cancellations,
            PrivacyPolicy policy, HubMetrics metrics, CartRelayProperties properties, Clock clock) {
        this.producer = producer;
        this.runtimes = runtimes;
        this.cancellations = cancellations;
        this.policy = policy;
        this.metrics = metrics;
        this.maxWait = properties.delivery().throttle().maxWait();
        this.clock = clock;
    }

    /** What became of a leased delivery that was handed to a worker. */
    sealed interface Result {
    }

    /** An attempt was made (or its calls began): record it. */
    record Attempted(Finished finished) implements Result {
    }

    /** Nothing was sent: the connector may not call now, or the delivery must not go out any more. */
    record NotSent(boolean cancelled) implements Result {
    }

    /** Nothing was sent, nor will be: the buyer unsubscribed after the delivery was written. */
    record Withheld(String reason) implements Result {
    }

    /**
     * One attempt, unless the delivery's event was cancelled meanwhile or the connector may not call before
     * {@code deadline} (paused, its breaker open, its target's wait or its rate beyond then).
     */
    public Result attempt(ConnectorRuntime runtime, Claimed delivery, String leaseToken, Instant deadline) {
        if (cancellations.cancelled(delivery.eventId())) {
            return new NotSent(true);
        }
        Connector connector = runtime.connector();
        if (connector.definition().respectUnsubscribe()
                && !OutboundEvent.BUYER_UNSUBSCRIBED.equals(delivery.eventType())) {
            // checked again right before sending: the buyer may have unsubscribed since the fan-out
            String reason;
            try {
                reason = policy.unsubscribedReason(delivery.email());
            } catch (RuntimeException e) {
                return new NotSent(false); // not known now, so not sent now
            }
            if (reason != null) {
                return new Withheld(reason);
            }
        }
        AttemptGate gate = runtime.gate(delivery.retry(), deadline);
        if (!connector.gatesEachCall() && !gate.enter()) {
            return new NotSent(false);
        }
        int attempt = delivery.attempts() + 1;
        Instant started = clock.instant();
        long t0 = System.nanoTime();
        Endpoint endpoint = endpoints.computeIfAbsent(connector.deliveryUri(),
                uri -> producer.getCamelContext().getEndpoint(uri));
        Exchange result;
        Throwable thrown = null;
        try {
            result = producer.send(endpoint, exchange -> {
                exchange.setProperty(CallGate.PROPERTY, gate);
                exchange.getMessage().setHeader(Connector.EVENT_ID, delivery.eventId());
                exchange.getMessage().setHeader(Connector.EVENT_TYPE, delivery.eventType());
                exchange.getMessage().setHeader(Connector.ATTEMPT, attempt);
                exchange.getMessage().setHeader(Connector.STEP, delivery.step());
                exchange.getMessage().setHeader(Connector.PROGRESS, delivery.progress());
                exchange.getMessage().setBody(delivery.payload());
            });
            thrown = result.getException();
        } catch (Throwable e) { // an Error from a connector fails this attempt, not the worker
            result = null;
            thrown = e;
        }
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        Instant now = clock.instant();

        Integer status = result == null ? null : result.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE,
                Integer.class);
        Integer progress = result == null ? null : result.getMessage().getHeader(Connector.PROGRESS, Integer.class);
        boolean held = result != null && Boolean.TRUE.equals(result.getMessage().getHeader(Connector.HELD,
                Boolean.class));
        if (held && gate.calls() == 0) {
            return new NotSent(false);
        }
        Verdict verdict;
        if (held) {
            verdict = new Verdict(Classification.THROTTLED, false, "Stopped after " + gate.calls() + " calls: the "
                    + "connector may not call again now (paused, waiting for its target, or its breaker is open).",
                    null);
        } else if (thrown != null) {
            verdict = Verdict.ofFailure(thrown, connector);
            verdict = verdict.withError(BuyerData.maskedIn(verdict.error(), delivery.payload()));
            if (thrown instanceof Error) {
                log.error("Delivery {} to '{}' failed in its connector: {}", delivery.id(), runtime.name(),
                        verdict.error());
            }
        } else if (status != null) {
            verdict = Verdict.ofStatus(status,
                    Classification.retryAfter(result.getMessage().getHeader("Retry-After", String.class), now));
        } else {
            verdict = Verdict.DELIVERED;
        }
        if (!held) {
            gate.finish(verdict);
        }
        String response = status == null || result == null ? null : result.getMessage().getBody(String.class);
        if (response != null && response.length() > RESPONSE_SLICE) {
            response = response.substring(0, RESPONSE_SLICE);
        }
        Next next = next(runtime, delivery, attempt, verdict, now);
        String outcome = verdict.classification().outcome();
        metrics.attempt(runtime.name(), outcome, took);
        if (verdict.classification() == Classification.DELIVERED && delivery.eventCreatedAt() != null) {
            metrics.endToEnd(runtime.name(), Duration.between(delivery.eventCreatedAt(), now));
        }
        if (next.status() != DeliveryStatus.DELIVERED) {
            log.info("Delivery {} of {} to '{}', attempt {}: {} → {}{}", delivery.id(), delivery.eventId(),
                    runtime.name(), attempt, verdict.error(), next.status().column(),
                    next.at() == null ? "" : " at " + next.at());
        }
        Attempt record = new Attempt(status == null ? 0 : status, outcome, verdict.error(), response, took.toMillis());
        int throttled = delivery.throttled() + (verdict.classification() == Classification.THROTTLED ? 1 : 0);
        return new Attempted(new Finished(delivery.id(), leaseToken, attempt, started, record, next.status(),
                next.at(), progress == null ? delivery.progress() : progress, throttled, next.reason()));
    }

    /** A delivery's next state, when it is due again, and why it is dead. */
    private record Next(DeliveryStatus status, Instant at, String reason) {
    }

    private Next next(ConnectorRuntime runtime, Claimed delivery, int attempt, Verdict verdict, Instant now) {
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
                    Instant asked = now.plus(verdict.retryAfter().compareTo(maxWait) > 0 ? maxWait
                            : verdict.retryAfter());
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
                        ? "The receiver refused the request with " + error + "; sending it again cannot succeed."
                        : "Sending it again cannot succeed: " + error;
                runtime.onRejected(reason, now);
                return new Next(DeliveryStatus.DEAD, null, reason);
            }
        }
    }

    private static Duration clamp(Duration value, Duration min, Duration max) {
        return value.compareTo(min) < 0 ? min : value.compareTo(max) > 0 ? max : value;
    }
}
