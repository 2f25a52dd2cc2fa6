package org.cartrelay.delivery;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.cartrelay.connectors.Connector;
import org.cartrelay.connectors.ConnectorRegistry;
import org.cartrelay.event.EventJson;
import org.cartrelay.event.OutboundEvent;
import org.cartrelay.privacy.PrivacyPolicy;
import org.cartrelay.store.OutboxStore;
import org.cartrelay.support.Ids;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Writes an outbound event and one delivery row per subscribing connector. Callers run it inside the transaction
 * of the state change that caused the event, so the event and its deliveries exist exactly when the change does.
 */
@Component
public class Fanout {

    private final ConnectorRegistry connectors;
    private final OutboxStore outbox;
    private final DeliveryEngine engine;
    private final PrivacyPolicy policy;

    public Fanout(ConnectorRegistry connectors, OutboxStore outbox, DeliveryEngine engine, PrivacyPolicy policy) {
        this.connectors = connectors;
        this.outbox = outbox;
        this.engine = engine;
        this.policy = policy;
    }

    /** An outbound event and the checkout it is about. */
    public record Publication(OutboundEvent event, String checkoutId) {
    }

    /** @return how many deliveries were created */
    public int publish(OutboundEvent event, String checkoutId, Instant now) {
        return publishAll(List.of(new Publication(event, checkoutId)), now);
    }

    /**
     * Writes the events and one delivery per subscribing connector each (or a suppressed one with the reason the
     * {@link PrivacyPolicy} gives) in the caller's transaction, and wakes the connectors' lanes once it commits.
     *
     * @return how many deliveries were created
     */
    public int publishAll(List<Publication> publications, Instant now) {
        List<OutboxStore.EventRow> events = new ArrayList<>(publications.size());
        List<OutboxStore.DeliveryRow> deliveries = new ArrayList<>();
        Set<String> targets = new LinkedHashSet<>();
        for (Publication publication : publications) {
            OutboundEvent event = publication.event();
            events.add(new OutboxStore.EventRow(event.id(), event.type(), publication.checkoutId(), event.email(),
                    EventJson.write(event)));
            for (Connector connector : connectors.enabled()) {
                if (!connector.definition().wants(event)) {
                    continue;
                }
                String withheld = policy.withheld(event, connector.definition());
                if (withheld != null) {
                    deliveries.add(new OutboxStore.DeliveryRow(Ids.next("dlv"), event.id(), connector.name(),
                            OutboxStore.SUPPRESSED, withheld));
                } else {
                    List<java.time.Duration> steps = connector.steps(event);
                    for (int step = 0; step < steps.size(); step++) {
                        deliveries.add(new OutboxStore.DeliveryRow(Ids.next("dlv"), event.id(), connector.name(),
                                OutboxStore.PENDING, null, step, steps.get(step)));
                    }
                    targets.add(connector.name());
                }
            }
        }
        outbox.insert(events, deliveries, now);
        wakeAfterCommit(List.copyOf(targets), now);
        return (int) deliveries.stream().filter(d -> OutboxStore.PENDING.equals(d.status())).count();
    }

    /** The lanes look for the new deliveries (due from {@code now} on, later steps later) once they are committed. */
    private void wakeAfterCommit(List<String> targets, Instant now) {
        if (targets.isEmpty()) {
            return;
        }
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    engine.wake(targets, now);
                }
            });
        } else {
            engine.wake(targets, now);
        }
    }
}
