package org.cartrelay.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.cartrelay.connectors.Connector;
import org.cartrelay.connectors.RetryPolicy;
import org.cartrelay.store.OutboxStore;
import org.cartrelay.store.OutboxStore.Attempt;
import org.cartrelay.store.OutboxStore.Claimed;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** Sends one leased delivery through its connector's route and records the attempt and the next state. */
@Component
public class DeliveryWorker {

    private static final Logger log = LoggerFactory.getLogger(DeliveryWorker.class);
    private static final int RESPONSE_SLICE = 2000;

    private final ProducerTemplate producer;
    private final OutboxStore outbox;
    private final Clock clock;

    public DeliveryWorker(ProducerTemplate producer, OutboxStore outbox, Clock clock) {
        this.producer = producer;
        this.outbox = outbox;
        this.clock = clock;
    }

    public void deliver(Connector connector, Claimed delivery, String leaseToken) {
        int attempt = delivery.attempts() + 1;
        Instant started = clock.instant();
        long t0 = System.nanoTime();
        Exchange result = producer.send(connector.deliveryUri(), exchange -> {
            exchange.getMessage().setHeader(Connector.EVENT_ID, delivery.eventId());
            exchange.getMessage().setHeader(Connector.EVENT_TYPE, delivery.eventType());
            exchange.getMessage().setHeader(Connector.ATTEMPT, attempt);
            exchange.getMessage().setBody(delivery.payload());
        });
        long durationMs = (System.nanoTime() - t0) / 1_000_000;
        Instant now = clock.instant();

        Integer status = result.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
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
            case DELIVERED -> next = OutboxStore.DELIVERED;
            case RETRY -> {
                if (attempt >= retry.maxAttempts()) {
                    next = OutboxStore.DEAD;
                    error = "Gave up after " + attempt + " attempts; last: " + error;
                } else {
                    Duration wait = retry.delayAfter(attempt);
                    if (retryAfter != null) {
                        wait = clamp(retryAfter, retry.initialDelay(), retry.maxDelay());
                    }
                    next = OutboxStore.PENDING;
                    nextAt = now.plus(wait);
                }
            }
            default -> next = OutboxStore.DEAD;
        }
        Attempt record = new Attempt(status == null ? 0 : status, classification.name().toLowerCase(), error, response,
                durationMs);
        boolean kept = outbox.recordAttempt(delivery.id(), leaseToken, attempt, started, record, next, nextAt);
        if (!kept) {
            log.warn("Delivery {} to '{}' finished after its lease was lost; the attempt is not recorded",
                    delivery.id(), connector.name());
        } else if (!OutboxStore.DELIVERED.equals(next)) {
            log.info("Delivery {} of {} to '{}' attempt {}: {} → {}{}", delivery.id(), delivery.eventId(),
                    connector.name(), attempt, error, next, nextAt == null ? "" : " at " + nextAt);
        }
    }

    private static Duration clamp(Duration value, Duration min, Duration max) {
        return value.compareTo(min) < 0 ? min : value.compareTo(max) > 0 ? max : value;
    }
}
