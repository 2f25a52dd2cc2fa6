package org.cartrelay.delivery;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.cartrelay.connectors.Connector;
import org.cartrelay.connectors.ConnectorRegistry;
import org.cartrelay.event.EventJson;
import org.cartrelay.event.OutboundEvent;
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

    public Fanout(ConnectorRegistry connectors, OutboxStore outbox, DeliveryEngine engine) {
        this.connectors = connectors;
        this.outbox = outbox;
        this.engine = engine;
    }

    /** @return how many deliveries were created */
    public int publish(OutboundEvent event, String checkoutId, Instant now) {
        outbox.insertEvent(event.id(), event.type(), checkoutId, event.email(), now, EventJson.write(event));
        List<String> targets = new ArrayList<>();
        for (Connector connector : connectors.enabled()) {
            if (connector.definition().wants(event)) {
                if (connector.definition().requireConsent() && !consented(event)) {
                    outbox.insertSuppressed(Ids.next("dlv"), event.id(), connector.name(), now,
                            "The buyer gave no newsletter consent and this connector requires it (requireConsent).");
                } else {
                    outbox.insertDelivery(Ids.next("dlv"), event.id(), connector.name(), now);
                    targets.add(connector.name());
                }
            }
        }
        wakeAfterCommit(targets);
        return targets.size();
    }

    private void wakeAfterCommit(List<String> targets) {
        if (targets.isEmpty()) {
            return;
        }
        if (TransactionSynchronizationManager.isSynchronizationActive()) {
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    engine.wake(targets);
                }
            });
        } else {
            engine.wake(targets);
        }
    }

    private static boolean consented(OutboundEvent event) {
        return event.consent() != null && Boolean.TRUE.equals(event.consent().newsletter());
    }
}
