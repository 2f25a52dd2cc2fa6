package org.cartrelay.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.cartrelay.connectors.CallGate;
import org.cartrelay.connectors.Connector;
import org.cartrelay.event.OutboundEvent;
import org.cartrelay.ops.HubMetrics;
import org.cartrelay.ops.OperationalEvent;
import org.cartrelay.ops.Traces;
import org.cartrelay.privacy.PrivacyPolicy;
import org.cartrelay.store.DeliveryStatus;
import org.cartrelay.store.OutboxStore.Attempt;
import org.cartrelay.store.OutboxStore.Claimed;
import org.cartrelay.store.OutboxStore.Finished;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import io.micrometer.tracing.Span;

/**
 * Makes one attempt of a leased delivery through its connector's route; the {@link DeliveryPolicy} judges it and
 * decides the delivery's next state. The breaker, throttle, counters and metrics learn the outcome at once; the
 * database learns it through the {@link AttemptRecorder}.
 */
@Component
public class DeliveryWorker {

    private static final Logger log = LoggerFactory.getLogger(DeliveryWorker.class);
    private static final int RESPONSE_SLICE = 2000;

    private final ProducerTemplate producer;
    private final Cancellations cancellations;
    private final PrivacyPolicy privacy;
    private final DeliveryPolicy policy;
    private final HubMetrics metrics;
    private final Clock clock;
    private final ConnectorRuntimes runtimes;
    private final Traces traces;
    /** Connector routes' endpoints, resolved once: resolving the URI on every send normalised it every time. */
    private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();

    public DeliveryWorker(
            ProducerTemplate producer,
            Cancellations cancellations,
            PrivacyPolicy privacy,
            DeliveryPolicy policy,
            HubMetrics metrics,
            Clock clock,
            ConnectorRuntimes runtimes,
            Traces traces) {
        this.runtimes = runtimes;
        this.traces = traces;
        this.producer = producer;
        this.cancellations = cancellations;
        this.privacy = privacy;
        this.policy = policy;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** What became of a leased delivery that was handed to a worker. */
    sealed interface Result {}

    /** An attempt was made (or its calls began): record it. */
    record Attempted(Finished finished) implements Result {}

    /** Nothing was sent: the connector may not call now, or the delivery must not go out any more. */
    record NotSent(boolean cancelled) implements Result {}

    /** Nothing was sent, nor will be: the buyer unsubscribed after the delivery was written. */
    record Withheld(String reason) implements Result {}

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
                && !OutboundEvent.BUYER_UNSUBSCRIBED.equals(delivery.eventType())
                && !OperationalEvent.isOperational(delivery.eventType())) {
            // checked again right before sending: the buyer may have unsubscribed since the fan-out
            String reason;
            try {
                reason = privacy.unsubscribedReason(delivery.email());
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
        // each attempt continues the trace of the fan-out that wrote its event
        Span span = traces.start("cartrelay deliver " + runtime.name(), Span.Kind.CLIENT, delivery.traceParent())
                .tag(Traces.CONNECTOR, runtime.name())
                .tag(Traces.EVENT_ID, delivery.eventId())
                .tag(Traces.EVENT_TYPE, delivery.eventType())
                .tag(Traces.DELIVERY_ID, delivery.id())
                .tag("cartrelay.attempt", attempt)
                .tag("cartrelay.step", delivery.step());
        String traceParent = traces.traceParent(span);
        Instant started = clock.instant();
        long t0 = System.nanoTime();
        Endpoint endpoint = endpoints.computeIfAbsent(
                connector.deliveryUri(), uri -> producer.getCamelContext().getEndpoint(uri));
        Exchange result;
        Throwable thrown = null;
        try {
            result = producer.send(endpoint, exchange -> {
                exchange.setProperty(CallGate.PROPERTY, gate);
                if (traceParent != null) {
                    exchange.getMessage().setHeader(Connector.TRACEPARENT, traceParent);
                }
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

        Integer status =
                result == null ? null : result.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        Integer progress = result == null ? null : result.getMessage().getHeader(Connector.PROGRESS, Integer.class);
        boolean held =
                result != null && Boolean.TRUE.equals(result.getMessage().getHeader(Connector.HELD, Boolean.class));
        if (held && gate.calls() == 0) {
            span.abandon(); // nothing was sent: no attempt to trace
            return new NotSent(false);
        }
        Verdict verdict = DeliveryPolicy.judge(
                connector,
                held,
                gate.calls(),
                thrown,
                status,
                result == null ? null : result.getMessage().getHeader("Retry-After", String.class),
                delivery.payload(),
                now);
        if (!held && thrown instanceof Error) {
            log.error(
                    "Delivery {} to '{}' failed in its connector: {}", delivery.id(), runtime.name(), verdict.error());
        }
        if (!held) {
            gate.finish(verdict);
        }
        String response =
                status == null || result == null ? null : result.getMessage().getBody(String.class);
        if (response != null && response.length() > RESPONSE_SLICE) {
            response = response.substring(0, RESPONSE_SLICE);
        }
        DeliveryPolicy.Next next = policy.next(runtime, delivery, attempt, verdict, now);
        String outcome = verdict.classification().outcome();
        metrics.attempt(runtime.name(), outcome, took);
        if (verdict.classification() == Classification.DELIVERED && delivery.eventCreatedAt() != null) {
            metrics.endToEnd(runtime.name(), Duration.between(delivery.eventCreatedAt(), now));
        }
        if (next.status() != DeliveryStatus.DELIVERED) {
            log.info(
                    "Delivery {} of {} to '{}', attempt {}: {} → {}{}",
                    delivery.id(),
                    delivery.eventId(),
                    runtime.name(),
                    attempt,
                    verdict.error(),
                    next.status().column(),
                    next.at() == null ? "" : " at " + next.at());
        }
        if (next.status() == DeliveryStatus.DEAD && !OperationalEvent.isOperational(delivery.eventType())) {
            // a dead operational event raises none: no loop of dead letters about dead letters
            runtimes.publish(new OperationalEvent(
                    OperationalEvent.DELIVERY_DEAD_LETTERED,
                    runtime.name(),
                    next.reason(),
                    Map.of(
                            "deliveryId",
                            delivery.id(),
                            "eventId",
                            delivery.eventId(),
                            "eventType",
                            delivery.eventType())));
        }
        endAttemptSpan(span, status, outcome, next, thrown);
        Attempt record = new Attempt(status == null ? 0 : status, outcome, verdict.error(), response, took.toMillis());
        int throttled = delivery.throttled() + (verdict.classification() == Classification.THROTTLED ? 1 : 0);
        return new Attempted(new Finished(
                delivery.id(),
                leaseToken,
                attempt,
                started,
                record,
                next.status(),
                next.at(),
                progress == null ? delivery.progress() : progress,
                throttled,
                next.reason()));
    }

    private static void endAttemptSpan(
            Span span, Integer status, String outcome, DeliveryPolicy.Next next, Throwable thrown) {
        if (status != null) {
            span.tag("http.response.status_code", status);
        }
        span.tag("cartrelay.outcome", outcome)
                .tag("cartrelay.delivery.next", next.status().column());
        if (thrown != null) {
            span.error(thrown);
        }
        span.end();
    }
}
