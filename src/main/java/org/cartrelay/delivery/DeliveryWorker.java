package org.cartrelay.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.cartrelay.connectors.Connector;
import org.cartrelay.connectors.RetryPolicy;
import org.cartrelay.ops.HubMetrics;
import org.cartrelay.store.OutboxStore;
import org.cartrelay.store.OutboxStore.Attempt;
import org.cartrelay.store.OutboxStore.Claimed;
import org.cartrelay.store.OutboxStore.Finished;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Makes one attempt of a leased delivery through its connector's route, classifies the answer (SPEC section 6)
 * and decides the delivery's next state. The breaker, counters and metrics learn the outcome at once; the
 * database learns it through the {@link AttemptRecorder}.
 */
@Component
public class DeliveryWorker {

    private static final Logger log = LoggerFactory.getLogger(DeliveryWorker.class);
    private static final int RESPONSE_SLICE = 2000;

    private final ProducerTemplate producer;
    private final ConnectorRuntimes runtimes;
    private final HubMetrics metrics;
    private final Clock clock;
    /** Connector routes' endpoints, resolved once: resolving the URI on every send normalised it every time. */
    private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();

    public DeliveryWorker(ProducerTemplate producer, ConnectorRuntimes runtimes, HubMetrics metrics, Clock clock) {
        this.producer = producer;
        this.runtimes = runtimes;
        this.metrics = metrics;
        this.clock = clock;
    }

    public Finished attempt(ConnectorRuntime runtime, Claimed delivery, String leaseToken) {
        Connector connector = runtime.connector();
        int attempt = delivery.attempts() + 1;
        Instant started = clock.instant();
        long t0 = System.nanoTime();
        Endpoint endpoint = endpoints.computeIfAbsent(connector.deliveryUri(),
                uri -> producer.getCamelContext().getEndpoint(uri));
        Exchange result = producer.send(endpoint, exchange -> {
            exchange.getMessage().setHeader(Connector.EVENT_ID, delivery.eventId());
            exchange.getMessage().setHeader(Connector.EVENT_TYPE, delivery.eventType());
            exchange.getMessage().setHeader(Connector.ATTEMPT, attempt);
            exchange.getMessage().setHeader(Connector.STEP, delivery.step());
            exchange.getMessage().setHeader(Connector.PROGRESS, delivery.progress());
            exchange.getMessage().setBody(delivery.payload());
        });
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        Instant now = clock.instant();

        Integer status = result.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        Integer progress = result.getMessage().getHeader(Connector.PROGRESS, Integer.class);
        Classification classification;
        String error = null;
        Duration retryAfter = null;
        if (result.getException() != null) {
            classification = Classification.RETRY;
            Throwable cause = result.getException();
            error = cause.getClass().getSimpleName() + ": " + cause.getMessage();
        } else if (status != null) {
            classification = Classification.ofStatus(status);
            if (classification != Classification.DELIVERED) {
                error = "HTTP " + status;
            }
            retryAfter = Classification.retryAfter(result.getMessage().getHeader("Retry-After", String.class), now);
        } else {
            classification = Classification.DELIVERED;
        }
        String response = status == null ? null : result.getMessage().getBody(String.class);
        if (response != null && response.length() > RESPONSE_SLICE) {
            response = response.substring(0, RESPONSE_SLICE);
        }

        RetryPolicy retry = connector.definition().retry();
        String next;
        Instant nextAt = null;
        switch (classification) {
            case DELIVERED -> {
                next = OutboxStore.DELIVERED;
                runtime.onDelivered(now);
                if (delivery.eventCreatedAt() != null) {
                    metrics.endToEnd(runtime.name(), Duration.between(delivery.eventCreatedAt(), now));
                }
            }
            case RETRY -> {
                if (attempt >= retry.maxAttempts()) {
                    next = OutboxStore.DEAD;
                    error = "Gave up after " + attempt + " attempts; the last one failed with " + error;
                } else {
                    Duration wait = retry.delayAfter(attempt);
                    if (retryAfter != null) {
                        wait = clamp(retryAfter, retry.initialDelay(), retry.maxDelay());
                    }
                    next = OutboxStore.PENDING;
                    nextAt = now.plus(wait);
                }
                runtime.onFailure(error, now, OutboxStore.DEAD.equals(next));
            }
            case GONE -> {
                next = OutboxStore.DEAD;
                error = "The receiver answered 410 Gone: it asks not to be called again, so the connector is "
                        + "disabled until an operator resumes it.";
                runtime.onRejected(error, now);
                runtimes.disable(runtime.name(), "410 Gone at " + now + " for delivery " + delivery.id());
            }
            default -> {
                next = OutboxStore.DEAD;
                error = "The receiver refused the request with HTTP " + status
                        + "; sending it again cannot succeed.";
                runtime.onRejected(error, now);
            }
        }
        metrics.attempt(runtime.name(), classification.name().toLowerCase(Locale.ROOT), took);
        if (!OutboxStore.DELIVERED.equals(next)) {
            log.info("Delivery {} of {} to '{}', attempt {}: {} → {}{}", delivery.id(), delivery.eventId(),
                    runtime.name(), attempt, error, next, nextAt == null ? "" : " at " + nextAt);
        }
        Attempt record = new Attempt(status == null ? 0 : status, classification.name().toLowerCase(Locale.ROOT),
                error, response, took.toMillis());
        return new Finished(delivery.id(), leaseToken, attempt, started, record, next, nextAt,
                progress == null ? delivery.progress() : progress);
    }

    private static Duration clamp(Duration value, Duration min, Duration max) {
        return value.compareTo(min) < 0 ? min : value.compareTo(max) > 0 ? max : value;
    }
}
