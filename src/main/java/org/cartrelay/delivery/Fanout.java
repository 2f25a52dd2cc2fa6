package org.cartrelay.delivery;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.cartrelay.connectors.Connector;
import org.cartrelay.connectors.ConnectorRegistry;
import org.cartrelay.event.EventJson;
import org.cartrelay.event.OutboundEvent;
import org.cartrelay.ops.Traces;
import org.cartrelay.privacy.PrivacyPolicy;
import org.cartrelay.store.DeliveryStatus;
import org.cartrelay.store.OutboxStore;
import org.cartrelay.store.SuppressionStore;
import org.cartrelay.support.Ids;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import io.micrometer.tracing.Span;

/**
 * Writes an outbound event and one delivery row per subscribing connector. Callers run it inside the transaction
 * of the state change that caused the event, so the event and its deliveries exist exactly when the change does.
 */
@Component
public class Fanout {

    private static final Logger log = LoggerFactory.getLogger(Fanout.class);

    private final ConnectorRegistry connectors;
    private final OutboxStore outbox;
    private final DeliveryEngine engine;
    private final PrivacyPolicy policy;
    private final Cancellations cancellations;
    private final Traces traces;

    public Fanout(
            ConnectorRegistry connectors,
            OutboxStore outbox,
            DeliveryEngine engine,
            PrivacyPolicy policy,
            Cancellations cancellations,
            Traces traces) {
        this.connectors = connectors;
        this.outbox = outbox;
        this.engine = engine;
        this.policy = policy;
        this.cancellations = cancellations;
        this.traces = traces;
    }

    /**
     * An outbound event, the checkout it is about, and the {@code traceparent} of the span that caused it
     * ({@code null}: none, the fan-out starts a trace).
     */
    public record Publication(OutboundEvent event, String checkoutId, String traceParent) {

        public Publication(OutboundEvent event, String checkoutId) {
            this(event, checkoutId, null);
        }
    }

    /**
     * Cancels the deliveries of an event that have not gone out (an abandoned cart was recovered), in the caller's
     * transaction: pending ones, retries, and ones leased to a lane, whose worker skips them right before it would
     * send. Workers here learn it at once, and forget it again if the transaction does not commit.
     *
     * @return how many deliveries were cancelled
     */
    public int cancelUnsent(String eventId, Instant now) {
        cancellations.cancel(eventId);
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCompletion(int status) {
                    if (status != STATUS_COMMITTED) {
                        cancellations.undo(eventId);
                    }
                }
            });
        }
        return outbox.cancelUnsent(eventId, now);
    }

    /** @return how many deliveries were created */
    public int publish(OutboundEvent event, String checkoutId, Instant now) {
        return publishAll(List.of(new Publication(event, checkoutId)), now);
    }

    /**
     * Writes the events and one delivery per subscribing connector each (or a suppressed one with the reason the
     * {@link PrivacyPolicy} gives) in the caller's transaction. A connector's lane that has room takes its deliveries
     * that are due now at once: they are written leased to it and handed over when the transaction commits, without
     * a claim; the other lanes are woken then to claim theirs. Each event's fan-out is a span, whose context the event
     * keeps for its delivery attempts.
     *
     * @return how many deliveries were created
     */
    public int publishAll(List<Publication> publications, Instant now) {
        List<Span> spans = new ArrayList<>(publications.size());
        List<OutboxStore.EventRow> events = new ArrayList<>(publications.size());
        List<OutboxStore.DeliveryRow> deliveries = new ArrayList<>();
        Map<String, String> payloads = new HashMap<>();
        Map<String, SuppressionStore.Entry> unsubscribed =
                connectors.enabled().stream().anyMatch(c -> c.definition().respectUnsubscribe())
                        ? policy.unsubscribed(publications.stream()
                                .map(Publication::event)
                                .filter(e -> !OutboundEvent.BUYER_UNSUBSCRIBED.equals(e.type()))
                                .toList())
                        : Map.of();
        for (Publication publication : publications) {
            OutboundEvent event = publication.event();
            String payload = EventJson.write(event);
            payloads.put(event.id(), payload);
            Span span = fanoutSpan(event.id(), event.type(), publication.traceParent());
            spans.add(span);
            events.add(new OutboxStore.EventRow(
                    event.id(),
                    event.type(),
                    publication.checkoutId(),
                    event.email(),
                    payload,
                    traces.traceParent(span)));
            boolean unsubscription = OutboundEvent.BUYER_UNSUBSCRIBED.equals(event.type());
            for (Connector connector : connectors.enabled()) {
                if (unsubscription) {
                    // to every mailing tool with a list of its own, whatever its events, filter or consent rule
                    if (connector.pushesUnsubscribe() && connector.definition().respectUnsubscribe()) {
                        deliveries.add(new OutboxStore.DeliveryRow(
                                Ids.next("dlv"), event.id(), connector.name(), DeliveryStatus.PENDING, null));
                    }
                    continue;
                }
                if (!connector.definition().wants(event)) {
                    continue;
                }
                String withheld = policy.withheld(event, connector.definition(), unsubscribed);
                if (withheld != null) {
                    deliveries.add(new OutboxStore.DeliveryRow(
                            Ids.next("dlv"), event.id(), connector.name(), DeliveryStatus.SUPPRESSED, withheld));
                } else {
                    List<java.time.Duration> steps = connector.steps(event);
                    for (int step = 0; step < steps.size(); step++) {
                        deliveries.add(new OutboxStore.DeliveryRow(
                                Ids.next("dlv"),
                                event.id(),
                                connector.name(),
                                DeliveryStatus.PENDING,
                                null,
                                step,
                                steps.get(step)));
                    }
                }
            }
        }
        try {
            return write(events, deliveries, payloads, now);
        } finally {
            endFanoutSpans(spans, events, deliveries);
        }
    }

    private Span fanoutSpan(String eventId, String type, String traceParent) {
        return traces.start("cartrelay fanout " + type, Span.Kind.PRODUCER, traceParent)
                .tag(Traces.EVENT_ID, eventId)
                .tag(Traces.EVENT_TYPE, type);
    }

    /** Each fan-out span says how many deliveries its event got, and how many of them were withheld. */
    private void endFanoutSpans(
            List<Span> spans, List<OutboxStore.EventRow> events, List<OutboxStore.DeliveryRow> deliveries) {
        if (!traces.on()) {
            return;
        }
        Map<String, int[]> counts = new HashMap<>();
        for (OutboxStore.DeliveryRow row : deliveries) {
            int[] count = counts.computeIfAbsent(row.eventId(), id -> new int[2]);
            count[row.status() == DeliveryStatus.SUPPRESSED ? 1 : 0]++;
        }
        for (int i = 0; i < spans.size(); i++) {
            int[] count = counts.getOrDefault(events.get(i).id(), new int[2]);
            spans.get(i)
                    .tag("cartrelay.deliveries", count[0])
                    .tag("cartrelay.deliveries.suppressed", count[1])
                    .end();
        }
    }

    /**
     * Writes one of the hub's operational events ({@code hub.*}, its JSON {@code payload} about connector
     * {@code about}) and a delivery to each enabled connector that subscribes to it, except {@code about} itself, in
     * the caller's transaction if there is one.
     *
     * @return how many deliveries were created
     */
    public int publishHubEvent(String id, String type, String about, String payload, Instant now) {
        List<OutboxStore.DeliveryRow> deliveries = new ArrayList<>();
        for (Connector connector : connectors.enabled()) {
            if (connector.definition().events().contains(type)
                    && !connector.name().equals(about)) {
                deliveries.add(new OutboxStore.DeliveryRow(
                        Ids.next("dlv"), id, connector.name(), DeliveryStatus.PENDING, null));
            }
        }
        if (deliveries.isEmpty()) {
            return 0;
        }
        Span span = fanoutSpan(id, type, null);
        List<OutboxStore.EventRow> events =
                List.of(new OutboxStore.EventRow(id, type, null, null, payload, traces.traceParent(span)));
        try {
            return write(events, deliveries, Map.of(id, payload), now);
        } finally {
            endFanoutSpans(List.of(span), events, deliveries);
        }
    }

    private int write(
            List<OutboxStore.EventRow> events,
            List<OutboxStore.DeliveryRow> deliveries,
            Map<String, String> payloads,
            Instant now) {
        Map<DeliveryLane.Reservation, List<OutboxStore.DeliveryRow>> handed = leaseToLanes(deliveries, now);
        Set<String> toClaim = new LinkedHashSet<>();
        for (OutboxStore.DeliveryRow row : deliveries) {
            if (row.status() == DeliveryStatus.PENDING && row.leaseToken() == null) {
                toClaim.add(row.connector());
            }
        }
        Runnable committed = () -> handOver(handed, events, payloads, List.copyOf(toClaim), now);
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCompletion(int status) {
                    if (status == STATUS_COMMITTED) {
                        committed.run();
                    } else {
                        handed.keySet().forEach(engine::cancel);
                    }
                }
            });
            outbox.insert(events, deliveries, now);
        } else {
            try {
                outbox.insert(events, deliveries, now);
            } catch (RuntimeException e) {
                handed.keySet().forEach(engine::cancel);
                throw e;
            }
            committed.run();
        }
        return (int) deliveries.stream()
                .filter(d -> d.status() == DeliveryStatus.PENDING)
                .count();
    }

    /**
     * Reserves room in each connector's lane for its deliveries that are due now and marks as many of them leased
     * (in place in {@code deliveries}).
     */
    private Map<DeliveryLane.Reservation, List<OutboxStore.DeliveryRow>> leaseToLanes(
            List<OutboxStore.DeliveryRow> deliveries, Instant now) {
        Map<String, List<Integer>> dueNow = new LinkedHashMap<>();
        for (int i = 0; i < deliveries.size(); i++) {
            OutboxStore.DeliveryRow row = deliveries.get(i);
            if (row.status() == DeliveryStatus.PENDING && row.delay().isZero()) {
                dueNow.computeIfAbsent(row.connector(), c -> new ArrayList<>()).add(i);
            }
        }
        Map<DeliveryLane.Reservation, List<OutboxStore.DeliveryRow>> handed = new LinkedHashMap<>();
        dueNow.forEach((connector, indexes) -> {
            DeliveryLane.Reservation room = engine.reserve(connector, indexes.size(), now);
            if (room == null) {
                return;
            }
            List<OutboxStore.DeliveryRow> leased = new ArrayList<>(room.size());
            for (int i : indexes.subList(0, room.size())) {
                OutboxStore.DeliveryRow row = deliveries.get(i).leased(room.token(), room.leaseUntil());
                deliveries.set(i, row);
                leased.add(row);
            }
            handed.put(room, leased);
        });
        return handed;
    }

    /** Committed: the leased deliveries go to their lanes' workers, and the other lanes look for theirs. */
    private void handOver(
            Map<DeliveryLane.Reservation, List<OutboxStore.DeliveryRow>> handed,
            List<OutboxStore.EventRow> events,
            Map<String, String> payloads,
            List<String> toClaim,
            Instant now) {
        Map<String, OutboxStore.EventRow> byId = new HashMap<>();
        events.forEach(e -> byId.put(e.id(), e));
        handed.forEach((room, rows) -> {
            try {
                engine.handOver(
                        room,
                        rows.stream()
                                .map(row -> {
                                    OutboxStore.EventRow event = byId.get(row.eventId());
                                    return new OutboxStore.Claimed(
                                            row.id(),
                                            row.eventId(),
                                            event.type(),
                                            row.connector(),
                                            0,
                                            0,
                                            now,
                                            payloads.get(row.eventId()),
                                            row.step(),
                                            0,
                                            now,
                                            event.checkoutId(),
                                            event.email(),
                                            event.traceParent());
                                })
                                .toList());
            } catch (RuntimeException e) {
                // written leased all the same: when the lease runs out, the lane claims them
                log.warn(
                        "{} deliveries leased to '{}' could not be handed over ({}); they go out when their lease"
                                + " runs out",
                        rows.size(),
                        rows.get(0).connector(),
                        e.toString());
            }
        });
        engine.wake(toClaim, now);
    }
}
